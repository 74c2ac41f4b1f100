using Gate.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Gate.Server.Validation;

/// <summary>
/// Declares in the OpenAPI document the refusals that come from the pipeline rather than the handler, so a generated
/// client knows them without each endpoint repeating them: 401 when the endpoint needs a sign-in, 403 when it needs more
/// than any role, 400 when it binds a body or query parameters (the binder's refusals, <see cref="BadRequestProblems"/>).
/// Handler outcomes (404, 409 ...) are declared on each endpoint.
/// </summary>
public static class ErrorResponses
{
    public const string ProblemJson = "application/problem+json";

    public static TBuilder WithErrorResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
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

            // A body, or a query parameter (bound, not a route value: a route value always binds as a string).
            var route = (endpoint as RouteEndpointBuilder)?.RoutePattern;
            var takesInput = metadata.OfType<IAcceptsMetadata>().Any()
                || metadata.OfType<IParameterBindingMetadata>().Any(p =>
                    route?.GetParameter(p.Name) is null && (Nullable.GetUnderlyingType(p.ParameterInfo.ParameterType) ?? p.ParameterInfo.ParameterType) is var t
                    && (t.IsPrimitive || t == typeof(string)));
            if (takesInput)
            {
                Add(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails));
            }

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
}
