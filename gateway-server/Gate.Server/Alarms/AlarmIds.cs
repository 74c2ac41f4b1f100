namespace Gate.Server.Alarms;

/// <summary>
/// Server-side alarm keys. Normally the key is the device's own id <c>{device}.{boot}.{seq}</c>. When a device reuses an
/// id for a different alarm (its boot counter restarted after a flash mass-erase or a board swap), the new alarm is kept
/// under a derived key <c>{id}~2</c>, <c>{id}~3</c>... '~' never occurs in a device's id, so the key cannot clash with
/// one a device sends, and the device's own id is always recoverable for its acks.
/// </summary>
public static class AlarmIds
{
    public const char CollisionMark = '~';

    /// <summary>The key for the <paramref name="n"/>-th alarm (n >= 2) a device sent under <paramref name="deviceAlarmId"/>.</summary>
    public static string Derived(string deviceAlarmId, int n) => $"{deviceAlarmId}{CollisionMark}{n}";

    /// <summary>The id the device knows a stored alarm by: acks must carry it, since the device matches acks by id.</summary>
    public static string ForDevice(string storedId)
    {
        var mark = storedId.IndexOf(CollisionMark, StringComparison.Ordinal);
        return mark < 0 ? storedId : storedId[..mark];
    }
}
