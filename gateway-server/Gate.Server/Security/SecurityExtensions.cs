using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

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
            .ValidateOnStart();
        services.AddSingleton<UserStore>();
        services.AddHostedService<AdminBootstrap>();

        // Session cookies are sealed with data-protection keys. Kept beside the database (folder 0700), so a restart
        // does not log the duty officer out in the middle of an alarm; in memory only, every restart would.
        services.AddDataProtection().SetApplicationName("Gate");
        services.AddOptions<KeyManagementOptions>()
            .Configure<Storage.GateDatabase, ILoggerFactory>((o, database, loggers) =>
            {
                var folder = new DirectoryInfo(Path.Combine(Path.GetDirectoryName(database.FilePath)!, "keys"));
                if (!folder.Exists)
                {
                    folder.Create();
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }
                }

                o.XmlRepository = new FileSystemXmlRepository(folder, loggers);
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
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Admin));
        return services;
    }
}
