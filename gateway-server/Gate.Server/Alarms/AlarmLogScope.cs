using System.Collections;

namespace Gate.Server.Alarms;

/// <summary>
/// The alarm and device a stretch of work is about, as a logging scope: with the JSON console formatter and
/// <c>IncludeScopes</c> every line logged inside it (by any logger, the forwarders' too) carries <c>AlarmId</c> and
/// <c>DeviceId</c> as fields, so one alarm's story is one filter; the simple formatter prints "AlarmId:… DeviceId:…".
/// </summary>
public sealed class AlarmLogScope(string alarmId, string deviceId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public static IDisposable? Begin(ILogger logger, string alarmId, string deviceId) => logger.BeginScope(new AlarmLogScope(alarmId, deviceId));

    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("AlarmId", alarmId),
        1 => new("DeviceId", deviceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"AlarmId:{alarmId} DeviceId:{deviceId}";
}
