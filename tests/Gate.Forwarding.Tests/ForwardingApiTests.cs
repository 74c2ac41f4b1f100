using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gate.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;

namespace Gate.Forwarding.Tests;

/// <summary>Signs in whoever sends X-Test-Role (with that role); anyone else is anonymous.</summary>
public sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("X-Test-Role", out var role))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "tester"), new Claim(ClaimTypes.Role, role.ToString())], Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
    }
}

[Trait("Category", "Integration")]
public class ForwardingApiTests
{
    private static async Task<WebApplication> StartApiAsync(ForwardingFixture fx, Dictionary<string, string?> config)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton(fx.Database);
        builder.Services.AddSingleton<TimeProvider>(fx.Time);
        builder.Services.AddSingleton<IDeliveryProgress>(fx.Observer);
        builder.Services.AddAuthentication(TestAuthHandler.Name).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.Name, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.View, p => p.RequireRole(Roles.All))
            .AddPolicy(Policies.HandleAlarms, p => p.RequireRole(Roles.Admin, Roles.DutyOfficer));
        builder.Services.AddForwarding(builder.Configuration);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapForwarding();
        await app.StartAsync();
        fx.Attach(app.Services);
        return app;
    }

    [Fact]
    public async Task Api_DeliveryTrail_NeedsSignInAndShowsEveryAttempt()
    {
        await using var fx = new ForwardingFixture();
        await using var primary = await fx.StartedSimulatorAsync();
        await using var backup = await fx.StartedSimulatorAsync();
        await primary.StopAsync();
        fx.AddSchool("school-a", "1001");
        await using var app = await StartApiAsync(fx, ForwardingFixture.Config(primary: primary, backup: backup));
        var http = app.GetTestClient();

        fx.Enqueue(ForwardingFixture.Alarm("api.1.1"));
        await fx.Observer.Acknowledged("api.1.1");
        await fx.WaitForDelivery("api.1.1", d => d.State == ForwardState.Delivered, "delivered");

        var anonymous = await http.GetAsync("/api/alarms/api.1.1/delivery");
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/alarms/api.1.1/delivery");
        request.Headers.Add("X-Test-Role", Roles.Viewer);
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("delivered", body.GetProperty("state").GetString());
        Assert.Equal("backup", body.GetProperty("path").GetString());
        var trail = body.GetProperty("trail").EnumerateArray().Select(t => $"{t.GetProperty("path").GetString()}:{t.GetProperty("outcome").GetString()}").ToArray();
        Assert.Equal(["primary:failed", "backup:acknowledged"], trail);
    }

    [Fact]
    public async Task Api_Status_ShowsPathHealthAndQueue()
    {
        await using var fx = new ForwardingFixture();
        await using var primary = await fx.StartedSimulatorAsync();
        await primary.StopAsync();
        fx.AddSchool("school-a", "1001");
        await using var app = await StartApiAsync(fx, ForwardingFixture.Config(primary: primary));
        var http = app.GetTestClient();
        http.DefaultRequestHeaders.Add("X-Test-Role", Roles.DutyOfficer);

        fx.Enqueue(ForwardingFixture.Alarm("api.2.1"));
        await fx.Observer.Trouble("api.2.1");
        var status = await http.GetFromJsonAsync<JsonElement>("/api/forwarding/status");
        var missing = await http.GetAsync("/api/alarms/nope/delivery");

        Assert.True(status.GetProperty("configured").GetBoolean());
        var path = Assert.Single(status.GetProperty("paths").EnumerateArray());
        Assert.Equal("primary", path.GetProperty("path").GetString());
        Assert.Equal("down", path.GetProperty("state").GetString());
        Assert.Equal(1, status.GetProperty("queue").GetProperty("pending").GetInt32());
        Assert.Equal(1, status.GetProperty("queue").GetProperty("troubled").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Api_RetryRejectedAlarm_RequeuesAndDeliversIt()
    {
        await using var fx = new ForwardingFixture();
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Duh });
        fx.AddSchool("school-a", "1001");
        await using var app = await StartApiAsync(fx, ForwardingFixture.Config(primary: receiver));
        var http = app.GetTestClient();
        fx.Enqueue(ForwardingFixture.Alarm("api.3.1"));
        await fx.Observer.Trouble("api.3.1");
        await fx.WaitForDelivery("api.3.1", d => d.State == ForwardState.Rejected, "rejected");

        var viewer = new HttpRequestMessage(HttpMethod.Post, "/api/alarms/api.3.1/delivery/retry");
        viewer.Headers.Add("X-Test-Role", Roles.Viewer);
        var forbidden = await http.SendAsync(viewer);
        receiver.Behaviour = ReceiverBehaviour.Normal;
        var officer = new HttpRequestMessage(HttpMethod.Post, "/api/alarms/api.3.1/delivery/retry");
        officer.Headers.Add("X-Test-Role", Roles.DutyOfficer);
        var accepted = await http.SendAsync(officer);
        await fx.Observer.Acknowledged("api.3.1");
        var again = new HttpRequestMessage(HttpMethod.Post, "/api/alarms/api.3.1/delivery/retry");
        again.Headers.Add("X-Test-Role", Roles.DutyOfficer);
        await fx.WaitForDelivery("api.3.1", d => d.State == ForwardState.Delivered, "delivered");
        var conflict = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
    }
}
