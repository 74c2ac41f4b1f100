namespace Gate.Firmware.Host.Simulation;

/// <summary>The board files of hardware/boards, built into gate-sim.</summary>
public static class BoardFiles
{
    public const string DevKitC = "esp32-devkitc";
    public const string PoeIso = "olimex-esp32-poe-iso";

    public static string Read(string board)
    {
        using var stream = typeof(BoardFiles).Assembly.GetManifestResourceStream("boards/" + board + ".json")
            ?? throw new ArgumentException("unknown board '" + board + "' (known: " + string.Join(", ", Names) + ")", nameof(board));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static IEnumerable<string> Names => typeof(BoardFiles).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("boards/", StringComparison.Ordinal))
        .Select(n => n["boards/".Length..^".json".Length]);
}
