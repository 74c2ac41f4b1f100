using Microsoft.AspNetCore.Http.Features;

namespace Gate.Server.Security;

/// <summary>Endpoint metadata: the largest request body this endpoint reads.</summary>
public sealed record RequestBodyLimit(long Bytes)
{
    /// <summary>Every JSON body of the API is a few hundred bytes; 16 KiB leaves room and keeps a flood cheap.</summary>
    public const long DefaultJsonBytes = 16 * 1024;
}

public static class RequestBodyLimitExtensions
{
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(bytes));
}

/// <summary>
/// Applies the endpoint's body limit (or <see cref="RequestBodyLimit.DefaultJsonBytes"/>) before any handler reads the
/// body: a declared length over it is refused at once with 413; a chunked body is cut off by Kestrel at the same limit
/// (Kestrel's own default is 30 MB, which is what let a 20 MB school address in).
/// </summary>
public sealed class RequestBodyLimitCheck(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>()?.Bytes ?? RequestBodyLimit.DefaultJsonBytes;
        if (context.Request.ContentLength > limit)
        {
            await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"This endpoint accepts at most {limit} bytes.").ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
