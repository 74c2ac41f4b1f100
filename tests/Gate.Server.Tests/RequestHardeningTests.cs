using System.Net.Http.Headers;

namespace Gate.Server.Tests;

/// <summary>Issue 12: cross-origin changes, security headers and body limits, each followed by a legitimate request.</summary>
public sealed class RequestHardeningTests
{
    [Theory]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Origin", "http://127.0.0.1:9999")]
    [InlineData("Origin", "null")]
    public async Task CrossSite_CookieRequestFromAnotherOrigin_IsRefusedAndNothingChanges(string header, string value)
    {
        using var server = new GateServerFactory();
        server.AddDevice("s1", "s1-gate");
        var admin = await server.AdminClientAsync();

        using var attack = new HttpRequestMessage(HttpMethod.Post, "/api/devices/s1-gate/revoke");
        attack.Headers.TryAddWithoutValidation(header, value);
        var refused = await admin.SendAsync(attack);
        var stillConnectable = server.Get<Devices.DeviceRegistry>().Find("s1-gate")!.CanConnect;

        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/devices/s1-gate/revoke");
        own.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        own.Headers.TryAddWithoutValidation("Origin", "http://localhost");
        var accepted = await admin.SendAsync(own);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.True(stillConnectable);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
    }

    [Fact]
    public async Task CrossSite_ApiKeyRequest_IsExemptFromTheOriginCheck()
    {
        using var server = new GateServerFactory();
        server.AddDevice("s1", "s1-gate");
        var admin = await server.AdminClientAsync();
        var key = (await (await admin.PostAsJsonAsync("/api/api-keys", new { name = "tool", roles = new[] { Roles.Technician } }))
            .Content.ReadFromJsonAsync<CreatedApiKey>())!.Key;

        var program = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/devices/s1-gate/revoke");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.TryAddWithoutValidation("Origin", "http://elsewhere.example");
        var response = await program.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/js/app.js")]
    [InlineData("/health")]
    [InlineData("/api/devices")]
    [InlineData("/no-such-page")]
    public async Task SecurityHeaders_EveryResponse_CarriesThem(string path)
    {
        using var server = new GateServerFactory();
        var response = await server.CreateClient().GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public void StatusPage_Files_HaveNoInlineScriptHandlerOrStyle()
    {
        // The source folder, not the build output (tests may build under an --artifacts-path outside the repository).
        var root = Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "gateway-server", "Gate.Server", "wwwroot");
        var html = Directory.GetFiles(root, "*.html", SearchOption.AllDirectories);
        Assert.NotEmpty(html);
        foreach (var file in html)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", text);
            Assert.DoesNotMatch(@"\son[a-z]+\s*=", text);
            Assert.DoesNotMatch(@"<style|\sstyle\s*=", text);
        }
    }

    [Fact]
    public async Task BodyLimit_TwentyMegabyteSchoolAddress_IsRefusedWith413AndASmallOneIsStored()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        var huge = new string('x', 20 * 1024 * 1024);

        var refused = await admin.PutAsJsonAsync("/api/schools/big", new { name = "Big", district = huge, address = huge });
        var accepted = await admin.PutAsJsonAsync("/api/schools/big", new { name = "Big", district = "Jinshui", address = "1 Road" });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("Jinshui", server.Get<Devices.DeviceRegistry>().FindSchool("big")!.District);
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
