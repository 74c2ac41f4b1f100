using System.Net.ServerSentEvents;
using System.Text;
using Gate.Server.Events;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gate.Server.StatusPage;

/// <summary>
/// The read models the status page needs, shaped for the page (one call per view), under /api/status-page.
/// Actions (acknowledge, resolve, commands) go to the features that own them; the page calls those directly.
/// </summary>
public static class StatusPageApi
{
    public static IEndpointRouteBuilder MapStatusPageApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/status-page").WithTags("Status page").RequireAuthorization(Policies.View).WithApiContract();
        group.MapGet("/devices", (DeviceTileQuery query) => TypedResults.Ok(query.All()))
            .WithSummary("Device tiles for the status page")
            .WithDescription("Every device as the page's tile shows it: school, place, liveness, heartbeat strip, bollard, open alarms.");
        group.MapGet("/devices/{id}", Results<Ok<DeviceDetail>, ProblemHttpResult> (string id, DeviceTileQuery query) =>
            query.Find(id) is { } device ? TypedResults.Ok(device) : Devices.DevicesApi.NoSuchDevice(id))
            .WithSummary("One device's page")
            .WithDescription("The tile plus telemetry, commissioning record and recent alarms.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/devices/{id}/events", Results<Ok<IReadOnlyList<DeviceHistoryEntry>>, ProblemHttpResult> (string id, DeviceTileQuery query, Devices.DeviceRegistry registry) =>
            registry.Find(id) is null ? Devices.DevicesApi.NoSuchDevice(id) : TypedResults.Ok(query.History(id)))
            .WithSummary("One device's history for the page")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/alarms", (DutyAlarmQuery query) => TypedResults.Ok(query.Open()))
            .WithSummary("The duty console's open alarms")
            .WithDescription("Open alarms, most urgent first, each with its school, device place and delivery trail to the police.");
        group.MapGet("/compliance", Results<Ok<ComplianceReportResponse>, ValidationProblem> (int? days, ComplianceQuery query, IOptions<StatusPageOptions> options) =>
            WindowOf(days, options.Value) is { } window ? TypedResults.Ok(query.Report(window)) : DaysProblem())
            .WithSummary("Compliance report by district")
            .WithDescription("Per district: campuses, devices linked, online share and alarm handling over the window (days 1-366, default StatusPage:ComplianceWindowDays).");
        group.MapGet("/compliance.csv", Results<FileContentHttpResult, ValidationProblem> (int? days, string? lang, string? detail, ComplianceQuery query,
            IOptions<StatusPageOptions> options, IWebHostEnvironment environment, TimeProvider time) =>
        {
            if (WindowOf(days, options.Value) is not { } window)
            {
                return DaysProblem();
            }

            var errors = new FieldErrors()
                .Check("lang", QueryRules.CheckOneOf(lang, CsvLanguages))
                .Check("detail", QueryRules.CheckOneOf(detail, CsvDetails));
            if (errors.Any)
            {
                return ApiProblem.Invalid(errors);
            }

            var report = query.Report(window);
            var text = ComplianceCsv.LoadText(environment, lang);
            var campuses = detail == "campuses";
            var csv = campuses ? ComplianceCsv.Campuses(report, text) : ComplianceCsv.Districts(report, text);
            var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
            var name = $"gate-compliance{(campuses ? "-campuses" : "")}-{time.GetUtcNow():yyyy-MM-dd}.csv";
            return TypedResults.File(bytes, "text/csv; charset=utf-8", name);
        })
            .WithSummary("Compliance report as CSV")
            .WithDescription("The compliance report as a UTF-8 CSV file with a BOM (opens in Excel): lang zh-CN (default) or en for the headers; detail districts (default) or campuses.")
            .Produces<byte[]>(StatusCodes.Status200OK, "text/csv");

        // The page's live stream: every change as an unnamed event whose data carries its type, so the page's one
        // onmessage handler sees every kind of change, including kinds added later.
        group.MapGet("/stream", (ChangeFeed feed, TimeProvider time, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(StreamAsync(feed, time, lifetime.ApplicationStopping, cancellationToken)))
            .WithSummary("Live changes for the page (Server-Sent Events)")
            .WithDescription("A hello, then every change as an unnamed event whose data carries its type.")
            .Produces<ChangeEvent>(StatusCodes.Status200OK, "text/event-stream");
        return app;
    }

    private static readonly string[] CsvLanguages = ["zh-CN", "en"];
    private static readonly string[] CsvDetails = ["districts", "campuses"];

    private static int? WindowOf(int? days, StatusPageOptions options) =>
        days is null ? options.ComplianceWindowDays : days is >= 1 and <= 366 ? days : null;

    private static ValidationProblem DaysProblem() =>
        ApiProblem.Invalid("days", "a whole number of days from 1 to 366");

    private static async IAsyncEnumerable<SseItem<ChangeEvent>> StreamAsync(ChangeFeed feed, TimeProvider time, CancellationToken stopping,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken requestAborted)
    {
        // Ends when the client goes or the server stops, so a shutdown never waits on open pages (they reconnect).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestAborted);
        var cancellationToken = linked.Token;
        using var subscription = feed.Subscribe();
        yield return new SseItem<ChangeEvent>(new ChangeEvent(0, "hello", time.GetUtcNow(), null, null, null, null));
        var changes = subscription.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await changes.MoveNextAsync())
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var change = changes.Current;
            yield return new SseItem<ChangeEvent>(change) { EventId = change.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }

        await changes.DisposeAsync();
    }
}
