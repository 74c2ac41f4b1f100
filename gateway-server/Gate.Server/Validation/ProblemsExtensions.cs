using Gate.Server.Security;
using Microsoft.AspNetCore.Authorization;

namespace Gate.Server.Validation;

public static class ProblemsExtensions
{
    /// <summary>One error shape for every refusal: ProblemDetails, with <c>errors</c> for fields (see <see cref="ApiProblem"/>).</summary>
    public static IServiceCollection AddGateProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Answers no handler wrote (an unknown route, a method not allowed) still say something.
            var problem = context.ProblemDetails;
            problem.Detail ??= problem.Status switch
            {
                StatusCodes.Status404NotFound => $"Nothing at {context.HttpContext.Request.Path}.",
                StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}.",
                StatusCodes.Status500InternalServerError => "The server failed on this request; the log has the details.",
                _ => problem.Title,
            };
        });

        // The binder's refusals are thrown (not only logged), so BadRequestProblems can name the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblems>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        return services;
    }
}
