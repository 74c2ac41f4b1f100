namespace Gate.SiaDc09;

/// <summary>Which extended-data blocks follow the data block.</summary>
public enum SiaExtendedData
{
    /// <summary>None: what the standard's own examples send, and what every receiver parses.</summary>
    None,

    /// <summary>One block, <c>[I...]</c> with the alarm id, in letters, digits, spaces and '_' only.</summary>
    AlarmId,

    /// <summary>Alarm text <c>[I...]</c>, location <c>[L...]</c> and coordinates <c>[X...][Y...]</c>.</summary>
    Full,
}

/// <summary>Where the sequence number of a new message comes from.</summary>
public enum SiaSequencePolicy
{
    /// <summary>One counter per account, shared by every connection and path (receivers de-duplicate by account + sequence).</summary>
    Account,

    /// <summary>One counter per path, whatever the account.</summary>
    Path,
}

/// <summary>
/// What a receiver family accepts: the token, the extended data, whether unencrypted frames carry a timestamp, and how
/// sequence numbers are counted. The default, <see cref="Strict"/>, is what the strictest common receivers take
/// (pysiaalarm parses at most one extended-data block, of word characters only, and answers NAK to anything else).
/// </summary>
public sealed record SiaReceiverProfile(
    string Name,
    string Token,
    SiaExtendedData ExtendedData,
    bool TimestampWhenUnencrypted,
    SiaSequencePolicy Sequence)
{
    public static readonly SiaReceiverProfile Strict = new("strict", SiaToken.ContactId, SiaExtendedData.None, true, SiaSequencePolicy.Account);

    public static readonly SiaReceiverProfile OneBlock = new("one-block", SiaToken.ContactId, SiaExtendedData.AlarmId, true, SiaSequencePolicy.Account);

    public static readonly SiaReceiverProfile Full = new("full", SiaToken.ContactId, SiaExtendedData.Full, true, SiaSequencePolicy.Account);

    public static readonly SiaReceiverProfile SiaDcs = new("sia-dcs", SiaToken.SiaDcs, SiaExtendedData.None, true, SiaSequencePolicy.Account);

    public static IReadOnlyList<SiaReceiverProfile> All { get; } = [Strict, OneBlock, Full, SiaDcs];

    public static SiaReceiverProfile? Find(string? name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, string.IsNullOrWhiteSpace(name) ? Strict.Name : name.Trim(), StringComparison.OrdinalIgnoreCase));
}
