using System.Globalization;
using System.Text.Json;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Validation;
using Microsoft.Extensions.Options;

namespace Gate.Server.Returns;

public sealed record ReturnEntryRequest(Dictionary<string, JsonElement>? Values, string? Note);

public sealed record ReturnSchoolEntries(string SchoolId, string Month, bool Closed, IReadOnlyList<ReturnEntry> Entries);

/// <summary>The answer to an entry or a close: the result, or why not (the field errors for a 400, or a state for 404/409).</summary>
public sealed record ReturnOutcome<T>(T? Value, string? Refusal = null, FieldErrors? Errors = null);

public static class ReturnRefusal
{
    public const string UnknownSchool = "unknown_school";
    public const string MonthClosed = "month_closed";
    public const string NotClosed = "not_closed";
}

public static class ReturnEvents
{
    public const string Entered = "return_entered";
    public const string Closed = "return_closed";
}

/// <summary>
/// The module's read API and its two acts: entering a school's figures and closing a month. A closed month is read from
/// its kept snapshot and never recomputed, so October stays as it was at its close whatever changes after.
/// </summary>
public sealed class ReturnBook(ReturnStore store, ReturnMeasurement measurement, DeviceRegistry registry, EventLog events, TimeProvider time, IOptions<ReturnsOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TextRule Note = new(500, Multiline: true);

    public string CurrentMonth() => Month(time.GetUtcNow().ToOffset(TimeSpan.FromHours(options.Value.UtcOffsetHours)));

    public static string Month(DateTimeOffset at) => at.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Null when <paramref name="month"/> is a month (yyyy-MM) that has begun, else the sentence for the 400.</summary>
    public string? CheckMonth(string? month) =>
        month is null || month.Length != 7 || !DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? "a month as yyyy-MM"
            : string.CompareOrdinal(month, CurrentMonth()) > 0 ? "a month that has begun (this month is " + CurrentMonth() + ")" : null;

    /// <summary>The kept return of a closed month, else the return computed now.</summary>
    public MonthlyReturn Find(string month) =>
        store.Snapshot(month) is { } kept ? JsonSerializer.Deserialize<MonthlyReturn>(kept, Json)! : Compute(month);

    public IReadOnlyList<string> ClosedMonths() => store.ClosedMonths();

    public ReturnSchoolEntries? Entries(string schoolId, string month) =>
        registry.FindSchool(schoolId) is null ? null : new ReturnSchoolEntries(schoolId, month, store.Snapshot(month) is not null, store.InForce(month, schoolId));

    public ReturnOutcome<ReturnSchoolEntries> Enter(string schoolId, string month, ReturnEntryRequest request, string by)
    {
        var errors = new FieldErrors().Check("month", CheckMonth(month)).Check("note", Note.Check(request.Note));
        var values = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (request.Values is null || request.Values.Count == 0)
        {
            errors.Check("values", "one or more of " + string.Join(", ", ReturnColumns.Entered.Select(c => c.Key)));
        }
        else
        {
            foreach (var (key, value) in request.Values)
            {
                var column = ReturnColumns.Find(key);
                errors.Check("values." + key, column is null ? "not a column of the return; entered columns: " + string.Join(", ", ReturnColumns.Entered.Select(c => c.Key))
                    : column.Source == ColumnSource.Measured ? "measured by Gate from the devices, not entered"
                    : Flag(value) is null ? "true or false (or 1 or 0): does this campus count in the column" : null);
                if (column?.Source == ColumnSource.Entered && Flag(value) is { } flag)
                {
                    values[key] = flag;
                }
            }
        }

        if (errors.Any)
        {
            return new ReturnOutcome<ReturnSchoolEntries>(null, Errors: errors);
        }

        if (registry.FindSchool(schoolId) is null)
        {
            return new ReturnOutcome<ReturnSchoolEntries>(null, ReturnRefusal.UnknownSchool);
        }

        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        if (!store.Save(schoolId, month, values, note, by, time.GetUtcNow()))
        {
            return new ReturnOutcome<ReturnSchoolEntries>(null, ReturnRefusal.MonthClosed);
        }

        events.Record(ReturnEvents.Entered, null, schoolId, by,
            month + ": " + string.Join(", ", values.Select(v => v.Key + "=" + (v.Value ? "1" : "0"))) + (note is null ? "" : " (" + note + ")"));
        return new ReturnOutcome<ReturnSchoolEntries>(Entries(schoolId, month));
    }

    public ReturnOutcome<MonthlyReturn> Close(string month, string by)
    {
        var errors = new FieldErrors().Check("month", CheckMonth(month));
        if (errors.Any)
        {
            return new ReturnOutcome<MonthlyReturn>(null, Errors: errors);
        }

        var now = time.GetUtcNow();
        var kept = Compute(month) with { Closed = true, ClosedAt = now, ClosedBy = by };
        if (!store.Close(month, JsonSerializer.Serialize(kept, Json), by, now))
        {
            return new ReturnOutcome<MonthlyReturn>(null, ReturnRefusal.MonthClosed);
        }

        events.Record(ReturnEvents.Closed, null, null, by, $"{month}: {kept.Totals[ReturnColumns.Campuses]} campuses");
        return new ReturnOutcome<MonthlyReturn>(kept);
    }

    /// <summary>This month against <paramref name="since"/>, which must be closed (a comparison with a moving figure says nothing).</summary>
    public ReturnOutcome<ReturnChanges> Changes(string month, string since)
    {
        var errors = new FieldErrors().Check("month", CheckMonth(month)).Check("since", CheckMonth(since));
        if (errors.Any)
        {
            return new ReturnOutcome<ReturnChanges>(null, Errors: errors);
        }

        if (store.Snapshot(since) is null)
        {
            return new ReturnOutcome<ReturnChanges>(null, ReturnRefusal.NotClosed);
        }

        return new ReturnOutcome<ReturnChanges>(ReturnCalculator.Compare(Find(month), Find(since)));
    }

    /// <summary>The month before <paramref name="month"/> (yyyy-MM).</summary>
    public static string PreviousMonth(string month) =>
        DateTime.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private MonthlyReturn Compute(string month)
    {
        var o = options.Value;
        // The month's bounds on the offices' clock (a drill at 07:30 on the 1st in Zhengzhou is that month's).
        var offset = TimeSpan.FromHours(o.UtcOffsetHours);
        var start = new DateTimeOffset(DateTime.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture), offset);
        var schools = measurement.Schools(o.LinkValidityDays, start, start.AddMonths(1));
        return ReturnCalculator.Calculate(month, o.Province, o.Cities, schools, store.InForce(month), o.LinkValidityDays, time.GetUtcNow());
    }

    private static bool? Flag(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
        _ => null,
    };
}
