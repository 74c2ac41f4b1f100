using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using System.Threading.RateLimiting;

namespace Gate.Server.Security;

public static class SecurityExtensions
{
    /// <summary>Cookie login for people, bearer API keys for programs, one policy per kind of action.</summary>
    public static IServiceCollection AddGateSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.AdminPassword) || o.AdminPassword.Length >= 10, "Security:AdminPassword must be at least 10 characters (or empty to generate one).")
            .Validate(o => o.SessionHours is >= 1 and <= 24 * 30, "Security:SessionHours must be between 1 and 720.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.AdminPasswordFile), "Security:AdminPasswordFile must name a file.")
            .Validate(o => o.LockoutThreshold is >= 1 and <= 100, "Security:LockoutThreshold must be between 1 and 100.")
            .Validate(o => o.LockoutFirstSeconds >= 1 && o.LockoutMaxSeconds >= o.LockoutFirstSeconds, "Security:LockoutFirstSeconds must be at least 1 and at most Security:LockoutMaxSeconds.")
            .Validate(o => o.LoginPermitsPerMinute >= 1 && o.AnonymousPermitsPerMinute >= 1, "Security:LoginPermitsPerMinute and AnonymousPermitsPerMinute must be at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton<IPasswordHasher<string>, PasswordHasher<string>>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<LoginThrottle>();
        services.AddGateRateLimits();
        services.AddHostedService<AdminBootstrap>();

        // Session cookies are sealed with data-protection keys. Kept beside the database (folder 0700), so a restart
        // does not log the duty officer out in the middle of an alarm; in memory only, every restart would.
        services.AddDataProtection().SetApplicationName("Gate");
        services.AddOptions<KeyManagementOptions>()
            .Configure<Storage.GateDatabase>((o, database) =>
            {
                var folder = Path.Combine(Path.GetDirectoryName(database.FilePath)!, "keys");
                Storage.DataFiles.CreateFolder(folder);
                o.XmlRepository = new PrivateKeyRepository(new DirectoryInfo(folder));
            });

        const string Smart = "gate";
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Smart;
                o.DefaultChallengeScheme = Smart;
            })
            .AddPolicyScheme(Smart, "Cookie or API key", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "gate.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                // An API answers 401/403; the status page decides where to send the person.
                o.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<Microsoft.Extensions.Options.IOptions<SecurityOptions>>((cookie, security) =>
                cookie.ExpireTimeSpan = TimeSpan.FromHours(security.Value.SessionHours));

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.View, p => p.RequireRole(Roles.All))
            .AddPolicy(Policies.HandleAlarms, p => p.RequireRole(Roles.Admin, Roles.DutyOfficer))
            .AddPolicy(Policies.OperateDevices, p => p.RequireRole(Roles.Admin, Roles.Technician))
            .AddPolicy(Policies.EnterReturns, p => p.RequireRole(Roles.Admin, Roles.Technician, Roles.EducationOffice))
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Admin));
        return services;
    }

    /// <summary>The rate-limiter policy names: login, and every other endpoint that needs no login.</summary>
    public const string LoginLimit = "login";
    public const string AnonymousLimit = "anonymous";

    /// <summary>
    /// Per client address, fixed one-minute windows, no queue: a refused request is answered 429 at once instead of
    /// holding a connection. Behind a reverse proxy every client is the proxy's address unless forwarded headers are set
    /// up, so the proxy should limit too (docs/security.md).
    /// </summary>
    private static IServiceCollection AddGateRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((o, security) =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginLimit, context => PerAddress(context, security.Value.LoginPermitsPerMinute));
            o.AddPolicy(AnonymousLimit, context => PerAddress(context, security.Value.AnonymousPermitsPerMinute));
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "Too many requests from this address; wait a minute.").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerAddress(HttpContext context, int permitsPerMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>
    /// The request checks, once routing has chosen the endpoint: its body limit, the cross-origin check, the rate limits.
    /// Called after static files, so the page's own files are not rate limited (they are cheap and cacheable).
    /// </summary>
    public static WebApplication UseGateRequestChecks(this WebApplication app)
    {
        app.UseMiddleware<RequestBodyLimitCheck>();
        app.UseMiddleware<CrossSiteRequestCheck>();
        app.UseRateLimiter();
        return app;
    }
}
