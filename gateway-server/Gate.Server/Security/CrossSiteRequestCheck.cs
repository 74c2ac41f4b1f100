using Microsoft.Extensions.Options;

namespace Gate.Server.Security;

/// <summary>
/// Refuses a state-changing request (POST, PUT, PATCH, DELETE) that a browser sent from another origin. The session
/// cookie is SameSite=Strict, but "site" is scheme plus registrable domain: a page on another port of the same host, or
/// on any sub-domain, is same-site and its requests carry the cookie. So the browser's own word is checked:
/// Sec-Fetch-Site (sent by every current browser) must be same-origin or none, else the Origin header must be this
/// server's (or a configured trusted origin). A request with neither header is not from a browser page, so carries no
/// ambient cookie by accident; requests with a bearer API key are exempt (a page cannot add that header cross-origin
/// without a CORS grant, which the server never gives).
/// </summary>
public sealed class CrossSiteRequestCheck(RequestDelegate next, IOptions<SecurityOptions> options, ILogger<CrossSiteRequestCheck> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (IsRefused(context.Request, options.Value.TrustedOrigins, out var reason))
        {
            logger.LogWarning("Refused a cross-origin {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, reason);
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused",
                detail: "Changes are accepted only from the status page itself or with an API key.").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    internal static bool IsRefused(HttpRequest request, string[] trustedOrigins, out string reason)
    {
        reason = "";
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsTrace(request.Method))
        {
            return false;
        }

        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            if (fetchSite is "same-origin" or "none")
            {
                return false;
            }

            reason = "Sec-Fetch-Site " + fetchSite;
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        var own = request.Scheme + "://" + request.Host.Value;
        if (string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            || trustedOrigins.Any(t => string.Equals(origin, t.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        reason = "Origin " + (origin.Length > 100 ? origin[..100] : origin);
        return true;
    }
}
