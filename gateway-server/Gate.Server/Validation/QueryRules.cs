using Gate.Contracts;

namespace Gate.Server.Validation;

/// <summary>
/// What query parameters may hold. A value outside its rule is a 400 naming the parameter, never a silent default: a
/// typo in <c>?state=</c> must not look like "no devices in that state". Values of the wrong type (<c>?limit=abc</c>)
/// are refused by the binder and answered by <see cref="BadRequestProblems"/>.
/// </summary>
public static class QueryRules
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static string? CheckLimit(int? limit) => limit is null or (>= 1 and <= MaxLimit) ? null : $"a whole number from 1 to {MaxLimit}";

    /// <summary>Event ids count from 1: a paging cursor is the id of the oldest event already seen.</summary>
    public static string? CheckBefore(long? before) => before is null or > 0 ? null : "a positive event id (the oldest one already seen)";

    public static string? CheckOneOf(string? value, IReadOnlyCollection<string> allowed) =>
        value is null || allowed.Contains(value) ? null : "one of " + string.Join(", ", allowed);

    /// <summary>A device, school or user id used as a filter: its format only (an unknown id filters to nothing).</summary>
    public static string? CheckId(string? id) => id is null || Identifier.IsValid(id) ? null : DeviceFields.IdRule;

    /// <summary>An event type: a short snake_case word.</summary>
    public static string? CheckEventType(string? type) =>
        type is null || (type.Length is >= 1 and <= 64 && type.All(c => c is (>= 'a' and <= 'z') or '_' or (>= '0' and <= '9'))) ? null : "an event type (a-z, 0-9, '_', at most 64 characters)";
}
