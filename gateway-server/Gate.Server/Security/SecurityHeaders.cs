namespace Gate.Server.Security;

/// <summary>
/// Headers on every response, pages and API alike. The status page has no inline script or style (scripts are modules
/// under js/, styles in css/, and style values are set through the DOM), so the policy can refuse all inline code: an
/// injected &lt;script&gt; or onclick= would not run even if some text escaped its escaping.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        // At response start, so an error page written after the exception handler cleared the headers has them too.
        context.Response.OnStarting(static state => Apply(((HttpContext)state).Response.Headers), context);
        return next(context);
    }

    private static Task Apply(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return Task.CompletedTask;
    }
}
