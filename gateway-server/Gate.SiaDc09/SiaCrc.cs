namespace Gate.SiaDc09;

/// <summary>
/// The DC-09 CRC: CRC-16/ARC (polynomial 0x8005 reflected as 0xA001, initial value 0, no final xor), computed over
/// the frame from the opening quote of the message id up to and including the timestamp.
/// </summary>
public static class SiaCrc
{
    private static readonly ushort[] Table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    /// <summary>The CRC as the four upper-case hex digits a frame carries.</summary>
    public static string ToHex(ReadOnlySpan<byte> data) => Compute(data).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
