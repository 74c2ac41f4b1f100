using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace Gate.Server.Validation;

/// <summary>
/// The request the binder refused before any handler ran (malformed JSON, a field of the wrong type, <c>?limit=abc</c>,
/// a missing body) as a ProblemDetails whose <c>errors</c> names the field and says what it must be, instead of a bare
/// "Bad Request". Minimal APIs throw these only with <c>RouteHandlerOptions.ThrowOnBadRequest</c>, which
/// <see cref="ProblemsExtensions.AddGateProblems"/> turns on.
/// </summary>
public sealed partial class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || context.Response.HasStarted)
        {
            return false;
        }

        // The exception handler has cleared the endpoint by now; its feature keeps the one that threw.
        var errors = Describe(bad, (context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType);
        var problem = new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                _ => "Invalid request",
            },
            Detail = errors.FirstMessage() ?? bad.Message,
        };
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    internal static FieldErrors Describe(BadHttpRequestException bad, Type? bodyType)
    {
        var errors = new FieldErrors();
        if (bad.InnerException is JsonException json)
        {
            return errors.Check(FieldOf(json.Path), JsonReason(json, bodyType));
        }

        var parameter = ParameterPattern().Match(bad.Message);
        var name = parameter.Success ? parameter.Groups["name"].Value : "request";
        var type = parameter.Success ? parameter.Groups["type"].Value : "";
        if (bad.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal))
        {
            return errors.Check(name, Expected(type) ?? "a value of type " + type);
        }

        if (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) || bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal))
        {
            return bad.Message.Contains("from body", StringComparison.Ordinal) || bad.Message.StartsWith("Implicit body", StringComparison.Ordinal)
                ? errors.Check("body", "a JSON object is required")
                : errors.Check(name, "required");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return errors.Check("Content-Type", "application/json");
        }

        return errors.Check("body", bad.Message);
    }

    /// <summary>"$.roles[0]" → "roles[0]"; the whole body ("$" or no path) is "body".</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string JsonReason(JsonException json, Type? bodyType)
    {
        if (ConvertedPattern().IsMatch(json.Message))
        {
            // System.Text.Json names the type it was building, which for a record is the whole body: the field's own
            // type is found by following the path through the body's properties.
            var type = TypeAt(bodyType, json.Path);
            return (type is null ? null : Expected(type.Name == "Nullable`1" ? type.GetGenericArguments()[0].Name : type.Name)) ?? "a value of another type";
        }

        // System.Text.Json's own sentence without its " Path: ... | LineNumber ..." tail, which the field name and the
        // position below already say.
        var sentence = json.Message;
        var cut = sentence.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            sentence = sentence[..cut];
        }

        var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine ?? 0})" : "";
        return "not valid JSON: " + sentence.TrimEnd('.') + where;
    }

    /// <summary>The type of the property at a JSON path ("$.roles[0]") in <paramref name="root"/>, or null when not found.</summary>
    internal static Type? TypeAt(Type? root, string? path)
    {
        if (root is null || string.IsNullOrEmpty(path) || !path.StartsWith('$'))
        {
            return null;
        }

        var type = root;
        foreach (var segment in path[1..].Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            if (name.Length > 0)
            {
                type = type.GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase)?.PropertyType;
                if (type is null)
                {
                    return null;
                }
            }

            for (var i = bracket; i >= 0 && i < segment.Length; i = segment.IndexOf('[', i + 1))
            {
                type = type.IsArray ? type.GetElementType() : type.GetGenericArguments().FirstOrDefault();
                if (type is null)
                {
                    return null;
                }
            }
        }

        return type;
    }

    /// <summary>What a value of a .NET type looks like, in the words of the JSON or the query string.</summary>
    private static string? Expected(string type)
    {
        var bare = type.Replace("System.", "", StringComparison.Ordinal);
        if (bare.StartsWith("Nullable`1[", StringComparison.Ordinal))
        {
            bare = bare["Nullable`1[".Length..^1];
        }
        else if (bare.StartsWith("Nullable<", StringComparison.Ordinal))
        {
            bare = bare["Nullable<".Length..^1];
        }

        return bare.TrimEnd('?') switch
        {
            "String" or "string" => "a string",
            "Int32" or "int" or "Int64" or "long" => "a whole number",
            "Double" or "double" => "a number",
            "Boolean" or "bool" => "true or false",
            "String[]" or "string[]" => "a list of strings",
            "DateTimeOffset" => "an ISO 8601 date and time",
            _ => null,
        };
    }

    [GeneratedRegex("parameter \"(?<type>.+) (?<name>[^ \"]+)\"")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex("converted to (?<type>[\\w.`\\[\\]]+)")]
    private static partial Regex ConvertedPattern();
}
