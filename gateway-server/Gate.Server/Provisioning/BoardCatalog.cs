using Gate.Firmware.Config;

namespace Gate.Server.Provisioning;

/// <summary>One board file, parsed and checked by the firmware's own board parser.</summary>
/// <param name="NanoffTarget">The nanoFramework target nanoff flashes ("nanoff_target" in the board file).</param>
public sealed record BoardEntry(string Id, string Title, string Network, string? NanoffTarget, string FileName, string Json, BoardDefinition Definition, BoardProfile? Profile);

/// <summary>
/// The boards a device can be provisioned for: hardware/boards/*.json, read with the firmware's BoardDefinition so the
/// server accepts exactly what a controller accepts. A broken board file does not stop the server; it is listed in
/// <see cref="Errors"/> with the firmware parser's sentence, and bundles for that board are refused.
/// </summary>
public sealed class BoardCatalog
{
    private readonly Dictionary<string, BoardEntry> _boards;

    private BoardCatalog(string directory, Dictionary<string, BoardEntry> boards, IReadOnlyList<string> errors)
    {
        Directory = directory;
        _boards = boards;
        Errors = errors;
    }

    public string Directory { get; }

    public IReadOnlyList<BoardEntry> Boards => _boards.Values.OrderBy(b => b.Id, StringComparer.Ordinal).ToList();

    /// <summary>Board files that failed the firmware's checks, one sentence each naming the file.</summary>
    public IReadOnlyList<string> Errors { get; }

    public static BoardCatalog Load(string directory)
    {
        var boards = new Dictionary<string, BoardEntry>(StringComparer.Ordinal);
        var errors = new List<string>();
        if (!System.IO.Directory.Exists(directory))
        {
            errors.Add($"board folder '{directory}' does not exist");
            return new BoardCatalog(directory, boards, errors);
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(path);
            string json;
            try
            {
                json = File.ReadAllText(path);
            }
            catch (IOException e)
            {
                errors.Add($"{fileName}: cannot be read: {e.Message}");
                continue;
            }

            if (!TryParse(fileName, json, out var entry, out var error))
            {
                errors.Add(error);
                continue;
            }

            if (boards.ContainsKey(entry.Id))
            {
                errors.Add($"{fileName}: board '{entry.Id}' is already defined by {boards[entry.Id].FileName}");
                continue;
            }

            boards[entry.Id] = entry;
        }

        return new BoardCatalog(directory, boards, errors);
    }

    /// <summary>Parses one board file (used for the catalog and to check a pin map before it is accepted).</summary>
    public static bool TryParse(string fileName, string json, out BoardEntry entry, out string error)
    {
        entry = null!;
        if (!BoardDefinition.TryParse(json, out var definition, out var parseError))
        {
            error = $"{fileName}: {parseError}";
            return false;
        }

        var expectedName = Path.GetFileNameWithoutExtension(fileName);
        if (!string.Equals(definition.Name, expectedName, StringComparison.Ordinal))
        {
            error = $"{fileName}: board name '{definition.Name}' does not match the file name (expected '{expectedName}')";
            return false;
        }

        BoardProfile.Known.TryGetValue(definition.Name, out var profile);
        entry = new BoardEntry(definition.Name, definition.Title ?? definition.Name, definition.Network, ReadNanoffTarget(json), fileName, json, definition, profile);
        error = "";
        return true;
    }

    // The firmware's parser ignores fields it does not use; the flashing target is provisioning's, read here.
    private static string? ReadNanoffTarget(string json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("nanoff_target", out var target) && target.ValueKind == System.Text.Json.JsonValueKind.String
                ? target.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public bool TryGet(string? id, out BoardEntry board, out string error)
    {
        if (id is not null && _boards.TryGetValue(id, out board!))
        {
            error = "";
            return true;
        }

        board = null!;
        var known = _boards.Count == 0 ? "none (check Provisioning:BoardsPath)" : string.Join(", ", _boards.Keys.Order(StringComparer.Ordinal));
        var broken = Errors.FirstOrDefault(e => id is not null && e.StartsWith(id + ".json:", StringComparison.Ordinal));
        error = broken is not null
            ? $"board '{id}' is unusable: {broken}"
            : $"unknown board '{id}'; known boards: {known}";
        return false;
    }

    /// <summary>The first hardware/boards folder at or above <paramref name="start"/>, or null.</summary>
    public static string? FindBoardsFolder(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "hardware", "boards");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }

            var shipped = Path.Combine(dir.FullName, "boards");
            if (dir.FullName == Path.GetFullPath(start) && System.IO.Directory.Exists(shipped))
            {
                return shipped;
            }
        }

        return null;
    }
}
