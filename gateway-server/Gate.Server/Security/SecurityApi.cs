using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
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
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous();
        auth.MapPost("/logout", (Delegate)LogoutAsync).AllowAnonymous();

        app.MapGet("/api/me", Me).WithTags("Auth").RequireAuthorization(Policies.View);

        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Administer);
        users.MapGet("/", (UserStore store) => TypedResults.Ok(store.ListUsers()));
        users.MapPost("/", CreateUser);

        var keys = app.MapGroup("/api/api-keys").WithTags("Users").RequireAuthorization(Policies.Administer);
        keys.MapGet("/", (UserStore store) => TypedResults.Ok(store.ListApiKeys()));
        keys.MapPost("/", CreateApiKey);
        keys.MapDelete("/{id}", Results<NoContent, NotFound> (string id, UserStore store) =>
            store.RevokeApiKey(id) ? TypedResults.NoContent() : TypedResults.NotFound());
        return app;
    }

    private static async Task<Results<Ok<MeResponse>, UnauthorizedHttpResult>> LoginAsync(
        LoginRequest request, UserStore store, HttpContext context, ILoggerFactory loggers)
    {
        var user = string.IsNullOrEmpty(request.User) || string.IsNullOrEmpty(request.Password)
            ? null
            : store.CheckPassword(request.User, request.Password);
        if (user is null)
        {
            loggers.CreateLogger("Gate.Server.Security.Login").LogWarning("Login refused for {User} from {Remote}", request.User, context.Connection.RemoteIpAddress);
            return TypedResults.Unauthorized();
        }

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

    private static Results<Created<UserInfo>, ValidationProblem, Conflict> CreateUser(CreateUserRequest request, UserStore store, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Gate.Contracts.Identifier.IsValid(request.Name))
        {
            errors["name"] = ["1-32 characters of a-z, 0-9 and '-'"];
        }

        if (request.Password is null || request.Password.Length < 10)
        {
            errors["password"] = ["at least 10 characters"];
        }

        if (request.Roles is null || request.Roles.Length == 0 || !request.Roles.All(Roles.IsKnown))
        {
            errors["roles"] = ["one or more of " + string.Join(", ", Roles.All)];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!store.CreateUser(request.Name, request.Password!, request.Roles!))
        {
            return TypedResults.Conflict();
        }

        return TypedResults.Created($"/api/users/{request.Name}", new UserInfo(request.Name, request.Roles!, time.GetUtcNow(), false));
    }

    private static Results<Created<CreatedApiKey>, ValidationProblem> CreateApiKey(CreateApiKeyRequest request, UserStore store, ClaimsPrincipal user)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 64
            || request.Roles is null || request.Roles.Length == 0 || !request.Roles.All(Roles.IsKnown))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["request"] = ["name (1-64 characters) and roles (" + string.Join(", ", Roles.All) + ") are required"],
            });
        }

        var (info, key) = store.CreateApiKey(request.Name, request.Roles, user.Identity?.Name ?? "?");
        return TypedResults.Created($"/api/api-keys/{info.Id}", new CreatedApiKey(info.Id, info.Name, info.Roles, key));
    }
}
