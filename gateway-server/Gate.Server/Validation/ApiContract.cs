using Gate.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Gate.Server.Validation;

/// <summary>
/// What every API endpoint of a group holds to, applied once per group. It refuses a query parameter the endpoint does
/// not take (<c>?stat=online</c> for <c>?state=</c> would otherwise list every device), and declares in the OpenAPI
/// document the refusals that come from the pipeline rather than the handler, so a generated client knows them without
/// each endpoint repeating them: 401 when the endpoint needs a sign-in, 403 when it needs more than any role, 400 for an
/// unknown query parameter or what the binder refuses (<see cref="BadRequestProblems"/>). Handler outcomes (404,
/// 409 ...) are declared on each endpoint.
/// </summary>
public static class ApiContract
{
    public const string ProblemJson = "application/problem+json";

    public static TBuilder WithApiContract<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // A filter sees the handler's parameters; a name none of them has is not something the endpoint reads.
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var parameters = context.MethodInfo.GetParameters();
            var known = parameters.Select(p => p.Name!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var simple = parameters.Where(p => IsSimple(p.ParameterType)).Select(p => p.Name!).ToList();
            return invocation =>
            {
                var query = invocation.HttpContext.Request.Query;
                if (query.Count == 0 || query.Keys.All(known.Contains))
                {
                    return next(invocation);
                }

                var route = invocation.HttpContext.Request.RouteValues;
                var taken = simple.Where(n => !route.ContainsKey(n)).ToList();
                var takes = taken.Count == 0 ? "it takes none" : "it takes " + string.Join(", ", taken);
                var errors = new FieldErrors();
                foreach (var key in query.Keys.Where(k => !known.Contains(k)))
                {
                    errors.Check(key.Length > 64 ? key[..64] + "…" : key, $"not a parameter of this endpoint ({takes})");
                }

                return ValueTask.FromResult<object?>(ApiProblem.Invalid(errors));
            };
        });

        // Finally: after the group's and the endpoint's own conventions, so their authorization metadata is there.
        builder.Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();

            void Add(int status, Type type)
            {
                if (declared.Add(status))
                {
                    metadata.Add(new ProducesResponseTypeMetadata(status, type, [ProblemJson]));
                }
            }

            // Any endpoint of the group may refuse an unknown query parameter, besides its body's and parameters' rules.
            Add(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails));

            var authorize = metadata.OfType<IAuthorizeData>().ToList();
            if (authorize.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any())
            {
                Add(StatusCodes.Status401Unauthorized, typeof(ProblemDetails));
                if (authorize.Any(a => a.Policy is not null and not Policies.View))
                {
                    Add(StatusCodes.Status403Forbidden, typeof(ProblemDetails));
                }
            }
        });
        return builder;
    }

    private static bool IsSimple(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t && (t.IsPrimitive || t == typeof(string));
}
