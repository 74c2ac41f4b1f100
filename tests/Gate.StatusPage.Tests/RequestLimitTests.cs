using System.Net;
using System.Text;

namespace Gate.StatusPage.Tests;

/// <summary>On a real Kestrel socket, a chunked body (no Content-Length to refuse up front) is cut off at the endpoint's limit.</summary>
[Trait("Category", "Integration")]
public sealed class RequestLimitTests
{
    [Fact]
    public async Task BodyLimit_ChunkedBodyOverTheLimit_Is413AndNothingIsStored()
    {
        using var host = StatusPageSite.StartedHost();
        using var admin = await host.ClientAsAsync("admin", StatusPageSite.AdminPassword);
        var json = "{\"name\":\"Big\",\"district\":\"" + new string('x', 200_000) + "\",\"address\":\"1 Road\"}";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "api/schools/big") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var refused = await admin.SendAsync(request);
        var stored = host.Get<Gate.Server.Devices.DeviceRegistry>().FindSchool("big");
        var accepted = await admin.PutAsJsonAsync("api/schools/big", new { name = "Big", district = "Jinshui", address = "1 Road" });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Null(stored);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
