using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gate.Server.Security;

/// <summary>
/// 401 and 403 as ProblemDetails that say what to do: sign in, or which role the endpoint needs (the one its failed
/// requirement names, not a guess: a technician key on PUT /api/schools hears "admin", not "technician or admin").
/// </summary>
public sealed class AuthorizationProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var required = (authorizeResult.AuthorizationFailure?.FailedRequirements ?? policy.Requirements)
                .OfType<RolesAuthorizationRequirement>()
                .SelectMany(r => r.AllowedRoles)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var held = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Role required", detail: ForbiddenDetail(required, held),
                extensions: new Dictionary<string, object?> { ["requiredRoles"] = required }).ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
        if (authorizeResult.Challenged && !context.Response.HasStarted && context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            var withKey = context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in",
                detail: withKey
                    ? "The API key is unknown or revoked."
                    : "Sign in (POST /api/auth/login) or send an API key (Authorization: Bearer gate_...).").ExecuteAsync(context);
        }
    }

    internal static string ForbiddenDetail(IReadOnlyList<string> required, IReadOnlyList<string> held)
    {
        var needs = required.Count switch
        {
            0 => "a role this account does not have",
            1 => $"the {required[0]} role",
            _ => "the " + string.Join(" or ", required) + " role",
        };
        var has = held.Count == 0 ? "none" : string.Join(", ", held);
        return $"This needs {needs}; this account has: {has}.";
    }
}
