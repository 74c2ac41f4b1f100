using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Gate.Forwarding.Tests;

/// <summary>A provincial platform on loopback Kestrel: checks the signature itself and answers with scripted statuses.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string Secret = "test-secret-0123456789";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses = new();

    public sealed record Request(string? IdempotencyKey, bool SignatureValid, JsonElement Body);

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Request> Requests { get; } = new();

    public string Url => _app.Urls.First() + "/alarms";

    /// <summary>Answers for the next requests, in order; 200 once they are used up.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _statuses.Enqueue(status);
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/alarms", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var timestamp = request.Headers["X-Gate-Timestamp"].ToString();
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(
                Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body]));
            var valid = long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(request.Headers["X-Gate-Signature"].ToString()));
            receiver.Requests.Enqueue(new Request(request.Headers["Idempotency-Key"].ToString(), valid, JsonDocument.Parse(body).RootElement.Clone()));
            return Results.StatusCode(valid ? (receiver._statuses.TryDequeue(out var status) ? status : 200) : 401);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

[Trait("Category", "Integration")]
public class WebhookForwarderTests
{
    private static Dictionary<string, string?> WebhookConfig(WebhookReceiver receiver)
    {
        var config = ForwardingFixture.Config();
        config["Forwarding:Webhook:Url"] = receiver.Url;
        config["Forwarding:Webhook:Secret"] = WebhookReceiver.Secret;
        return config;
    }

    [Fact]
    public async Task Webhook_Alarm_IsSignedJsonWithAlarmIdAsIdempotencyKey()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var fx = new ForwardingFixture();
        fx.AddSchool("school-a", "1001", 39.9, 116.4);
        await fx.StartAsync(WebhookConfig(receiver));

        fx.Enqueue(ForwardingFixture.Alarm("w.1.1", kind: "duress", zone: 2));
        var ack = await fx.Observer.Acknowledged("w.1.1");

        Assert.Equal("webhook", ack.Path);
        var request = Assert.Single(receiver.Requests);
        Assert.True(request.SignatureValid);
        Assert.Equal("w.1.1", request.IdempotencyKey);
        Assert.Equal("w.1.1", request.Body.GetProperty("alarmId").GetString());
        Assert.Equal("duress", request.Body.GetProperty("kind").GetString());
        Assert.Equal(121, request.Body.GetProperty("contactId").GetProperty("code").GetInt32());
        Assert.Equal(1, request.Body.GetProperty("contactId").GetProperty("qualifier").GetInt32());
        Assert.Equal(39.9, request.Body.GetProperty("location").GetProperty("latitude").GetDouble());
    }

    [Fact]
    public async Task Webhook_ServerErrorThenOk_RetriesWithBackoffAndTheSameIdempotencyKey()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(503, 500);
        await using var fx = new ForwardingFixture();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(WebhookConfig(receiver));

        fx.Enqueue(ForwardingFixture.Alarm("w.1.2"));
        await fx.WaitForDelivery("w.1.2", d => d.Attempts == 1, "first round");
        fx.Time.Advance(TimeSpan.FromSeconds(1));
        await fx.WaitForDelivery("w.1.2", d => d.Attempts == 2, "second round");
        fx.Time.Advance(TimeSpan.FromSeconds(2));
        await fx.Observer.Acknowledged("w.1.2");

        Assert.Equal(["w.1.2", "w.1.2", "w.1.2"], receiver.Requests.Select(r => r.IdempotencyKey));
        Assert.Equal([1, 2, 3], receiver.Requests.Select(r => r.Body.GetProperty("attempt").GetInt32()));
        var delivery = await fx.WaitForDelivery("w.1.2", d => d.State == ForwardState.Delivered, "delivered");
        Assert.Equal(["failed", "failed", "acknowledged"], delivery.Trail.Select(t => t.Outcome));
        Assert.StartsWith("HTTP 503", delivery.Trail[0].Response);
    }

    [Fact]
    public async Task Webhook_BadRequest_IsRejectedNotLooped()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(422);
        await using var fx = new ForwardingFixture();
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(WebhookConfig(receiver));

        fx.Enqueue(ForwardingFixture.Alarm("w.1.3"));
        await fx.Observer.Trouble("w.1.3");
        fx.Time.Advance(TimeSpan.FromMinutes(5));
        fx.Enqueue(ForwardingFixture.Alarm("w.1.4"));
        await fx.Observer.Acknowledged("w.1.4");

        Assert.Equal(ForwardState.Rejected, (await fx.Delivery("w.1.3")).State);
        Assert.Single(receiver.Requests, r => r.IdempotencyKey == "w.1.3");
    }

    [Fact]
    public void Sign_KnownInput_IsHmacSha256OfTimestampDotBody()
    {
        var body = Encoding.UTF8.GetBytes("{\"alarmId\":\"a\"}");

        var signature = WebhookForwarder.Sign("secret", 1700000000, body);

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData("secret"u8.ToArray(), Encoding.UTF8.GetBytes("1700000000.{\"alarmId\":\"a\"}")));
        Assert.Equal("sha256=" + expected, signature);
    }
}
