using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gate.Server.Security;

/// <summary>"Authorization: Bearer gate_..." for programs (integrations, the police desk's tools, scripts).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var key = header.Substring("Bearer ".Length).Trim();
        var info = key.Length == 0 ? null : users.FindApiKey(key);
        if (info is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown or revoked API key"));
        }

        var principal = UserStore.Principal("key:" + info.Name, info.Roles, SchemeName, "api_key");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
