using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gate.SiaDc09;

namespace Gate.Server.Forwarding;

/// <summary>
/// Posts alarms as JSON to a provincial platform. Each request carries <c>Idempotency-Key</c> (the alarm id, so a
/// resend is recognised), <c>X-Gate-Timestamp</c> (Unix seconds) and <c>X-Gate-Signature: sha256=HEX</c>, the
/// HMAC-SHA256 with the shared secret of <c>timestamp + "." + body</c>. Only a 2xx is an acknowledgement; 400, 413,
/// 415 and 422 mean the platform cannot process it (like DC-09 DUH); anything else is retried.
/// </summary>
public sealed class WebhookForwarder(HttpClient http, WebhookOptions options, TimeProvider time) : IAlarmForwarder
{
    public const string HttpClientName = "Gate.Forwarding.Webhook";
    public const string SignatureHeader = "X-Gate-Signature";
    public const string TimestampHeader = "X-Gate-Timestamp";
    public const string IdempotencyHeader = "Idempotency-Key";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Path => "webhook";

    public string Receiver { get; } = new Uri(options.Url).GetLeftPart(UriPartial.Path);

    public bool SupportsSupervision => false;

    public Task<ForwardAttempt> SuperviseAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ForwardAttempt.NotSendable("webhooks have no link test"));

    /// <summary>The signature for a body sent at a given Unix time; receivers compute the same to verify.</summary>
    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public async Task<ForwardAttempt> ForwardAsync(ForwardItem item, CancellationToken cancellationToken)
    {
        var request = item.Request;
        var mapping = ContactIdMap.Lookup(request.Kind);
        var payload = new WebhookAlarm(
            request.AlarmId,
            request.SchoolId,
            item.School?.Name,
            item.School?.PoliceAccount,
            request.DeviceId,
            request.Kind,
            request.Zone,
            request.Restore,
            request.IsTest,
            request.RaisedAt,
            request.Detail,
            new WebhookContactId(request.Restore ? ContactIdEvent.Restore : ContactIdEvent.NewEvent, mapping.Code, mapping.CodeName),
            item.School is { Latitude: { } lat, Longitude: { } lon } ? new WebhookLocation(lat, lon) : null,
            item.Attempts + 1);
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, Json);
        var unix = time.GetUtcNow().ToUnixTimeSeconds();

        using var message = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        message.Headers.Add(IdempotencyHeader, request.AlarmId);
        message.Headers.Add(TimestampHeader, unix.ToString(CultureInfo.InvariantCulture));
        message.Headers.Add(SignatureHeader, Sign(options.Secret, unix, body));

        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var latency = time.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            var text = string.Create(CultureInfo.InvariantCulture, $"HTTP {status} {response.ReasonPhrase}");
            if (response.IsSuccessStatusCode)
            {
                return new ForwardAttempt(ForwardOutcome.Acknowledged, text, "acknowledged", latency);
            }

            var rejected = response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge
                or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.UnprocessableEntity;
            return new ForwardAttempt(rejected ? ForwardOutcome.Rejected : ForwardOutcome.Failed, text,
                rejected ? "platform cannot process the alarm" : "no acknowledgement", latency);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ForwardAttempt(ForwardOutcome.Failed, "TIMEOUT", $"no answer within {options.Timeout.TotalSeconds:0.###} s", time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new ForwardAttempt(ForwardOutcome.Failed, "CONNECTION", ex.Message, time.GetElapsedTime(started));
        }
    }

    private sealed record WebhookAlarm(
        string AlarmId,
        string SchoolId,
        string? SchoolName,
        string? PoliceAccount,
        string DeviceId,
        string Kind,
        int Zone,
        bool Restore,
        bool IsTest,
        DateTimeOffset RaisedAt,
        string? Detail,
        WebhookContactId ContactId,
        WebhookLocation? Location,
        int Attempt);

    private sealed record WebhookContactId(int Qualifier, int Code, string Name);

    private sealed record WebhookLocation(double Latitude, double Longitude);
}
