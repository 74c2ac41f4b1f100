using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Gate.Server.Events;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Security;

public sealed record LoginRequest(string User, string Password);

public sealed record MeResponse(string User, string[] Roles, string Kind);

public sealed record CreateUserRequest(string Name, string Password, string[] Roles);

public sealed record CreateApiKeyRequest(string Name, string[] Roles);

public sealed record CreatedApiKey(string Id, string Name, string[] Roles, string Key);

public static class SecurityApi
{
    public static IEndpointRouteBuilder MapSecurity(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth").WithApiContract();
        auth.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(SecurityExtensions.LoginLimit).WithRequestBodyLimit(4096)
            .WithSummary("Sign in (cookie)")
            .WithDescription("Checks user and password and sets the HttpOnly session cookie (Security:SessionHours, sliding). 400 when user or password is missing, 401 when they do not match, 429 while the name is locked after repeated failures (Retry-After says for how long).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/logout", (Delegate)LogoutAsync).AllowAnonymous().RequireRateLimiting(SecurityExtensions.AnonymousLimit)
            .WithSummary("Sign out")
            .WithDescription("Ends the session cookie. Always 204.")
            .Produces(StatusCodes.Status204NoContent);

        app.MapGet("/api/me", Me).WithTags("Auth").RequireAuthorization(Policies.View).WithApiContract()
            .WithSummary("Who is signed in")
            .WithDescription("The user (or key:NAME for an API key), its roles and its kind (person or api_key).");

        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Administer).WithApiContract();
        users.MapGet("/", (UserStore store) => TypedResults.Ok(store.ListUsers()))
            .WithSummary("List user accounts (admin)");
        users.MapPost("/", CreateUser)
            .WithSummary("Create a user account (admin)")
            .WithDescription("name: 1-32 characters of a-z, 0-9 and '-'; password: 10-256 characters; roles: one or more of admin, technician, duty_officer, viewer. 409 when the name is taken.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        var keys = app.MapGroup("/api/api-keys").WithTags("Users").RequireAuthorization(Policies.Administer).WithApiContract();
        keys.MapGet("/", (UserStore store) => TypedResults.Ok(store.ListApiKeys()))
            .WithSummary("List API keys (admin)")
            .WithDescription("Names, roles, creators and dates; never the keys themselves.");
        keys.MapPost("/", CreateApiKey)
            .WithSummary("Create an API key (admin)")
            .WithDescription("For programs and gate-admin: send it as Authorization: Bearer gate_... The key is in this answer only; the server keeps its hash.");
        keys.MapDelete("/{id}", Results<NoContent, ProblemHttpResult> (string id, UserStore store, EventLog events, ClaimsPrincipal user) =>
        {
            if (!store.RevokeApiKey(id))
            {
                return ApiProblem.NotFound($"No API key '{ApiProblem.Shown(id)}'.");
            }

            events.Record(SecurityEvents.ApiKeyRevoked, null, null, user.Identity?.Name, $"API key {id} revoked");
            return TypedResults.NoContent();
        })
            .WithSummary("Revoke an API key (admin)")
            .WithDescription("The key is refused from the next request on.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult, ValidationProblem>> LoginAsync(
        LoginRequest request, UserStore store, LoginThrottle throttle, EventLog events, HttpContext context, ILoggerFactory loggers)
    {
        // A request without a name or password is malformed, not a failed sign-in: 400, and no strike against any name.
        var missing = new FieldErrors()
            .Check("user", string.IsNullOrEmpty(request.User) ? "required" : null)
            .Check("password", string.IsNullOrEmpty(request.Password) ? "required" : null);
        if (missing.Any)
        {
            return ApiProblem.Invalid(missing);
        }

        var logger = loggers.CreateLogger("Gate.Server.Security.Login");
        var name = request.User;
        if (throttle.LockedFor(name) is { } left)
        {
            var seconds = (int)Math.Ceiling(left.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Sign-in locked",
                detail: $"Too many failed sign-ins for this name; try again in {seconds} s.");
        }

        var user = store.CheckPassword(name, request.Password);
        if (user is null)
        {
            // The name is attacker-chosen text: kept short in the log and the audit trail.
            var shown = name.Length > 64 ? name[..64] + "…" : name;
            var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
            var failure = throttle.Failed(name);
            logger.LogWarning("Login refused for {User} from {Remote} ({Failures} in a row)", shown, remote, failure.Failures);
            events.Record(SecurityEvents.LoginFailed, null, null, shown, $"from {remote}, failure {failure.Failures} in a row");
            if (failure.LockedFor is { } lockFor)
            {
                logger.LogWarning("Sign-in for {User} locked for {Seconds} s after {Failures} failures, last from {Remote}", shown, (int)lockFor.TotalSeconds, failure.Failures, remote);
                events.Record(SecurityEvents.LoginLocked, null, null, shown, $"locked for {(int)lockFor.TotalSeconds} s after {failure.Failures} failed sign-ins, last from {remote}");
            }

            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in refused", detail: "Wrong user name or password.");
        }

        throttle.Succeeded(name);
        var principal = UserStore.Principal(user.Name, user.Roles, CookieAuthenticationDefaults.AuthenticationScheme, "person");
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return TypedResults.Ok(new MeResponse(user.Name, user.Roles, "person"));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static Ok<MeResponse> Me(ClaimsPrincipal user) =>
        TypedResults.Ok(new MeResponse(
            user.Identity?.Name ?? "",
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray(),
            user.FindFirst("gate:kind")?.Value ?? "person"));

    private static Results<Created<UserInfo>, ValidationProblem, ProblemHttpResult> CreateUser(
        CreateUserRequest request, UserStore store, TimeProvider time, EventLog events, ClaimsPrincipal user)
    {
        var errors = new FieldErrors()
            .Check("name", PersonFields.CheckUserName(request.Name))
            .Check("password", PersonFields.CheckPassword(request.Password))
            .Check("roles", PersonFields.CheckRoles(request.Roles));
        if (errors.Any)
        {
            return ApiProblem.Invalid(errors);
        }

        if (!store.CreateUser(request.Name, request.Password!, request.Roles!))
        {
            return ApiProblem.Conflict($"User '{request.Name}' already exists; choose another name.");
        }

        events.Record(SecurityEvents.UserCreated, null, null, user.Identity?.Name, $"user {request.Name}, roles {string.Join(", ", request.Roles!)}");
        return TypedResults.Created($"/api/users/{request.Name}", new UserInfo(request.Name, request.Roles!, time.GetUtcNow(), false));
    }

    private static Results<Created<CreatedApiKey>, ValidationProblem> CreateApiKey(CreateApiKeyRequest request, UserStore store, EventLog events, ClaimsPrincipal user)
    {
        var errors = new FieldErrors()
            .Check("name", PersonFields.ApiKeyName.Check(request.Name))
            .Check("roles", PersonFields.CheckRoles(request.Roles));
        if (errors.Any)
        {
            return ApiProblem.Invalid(errors);
        }

        var (info, key) = store.CreateApiKey(request.Name, request.Roles, user.Identity?.Name ?? "?");
        events.Record(SecurityEvents.ApiKeyCreated, null, null, user.Identity?.Name, $"API key {info.Id} ({info.Name}), roles {string.Join(", ", info.Roles)}");
        return TypedResults.Created($"/api/api-keys/{info.Id}", new CreatedApiKey(info.Id, info.Name, info.Roles, key));
    }
}
