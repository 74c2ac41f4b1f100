using Gate.Server.Storage;

namespace Gate.Server.StatusPage;

/// <summary>
/// Where each device stands (its place at the school, e.g. "北门") and whether it is still in service, from the
/// provisioning feature's table, read in one query so the grid stays one pass over the registry. A device that was
/// replaced or decommissioned is history: it is neither a tile nor a campus's controller any more.
/// </summary>
public sealed record Placement(string Place, string Status, string Board)
{
    public bool InService => Status is not ("replaced" or "decommissioned");

    public static IReadOnlyDictionary<string, Placement> Load(GateDatabase database)
    {
        var placements = new Dictionary<string, Placement>(StringComparer.Ordinal);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, place, status, board FROM device_placements;";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            placements[reader.GetString(0)] = new Placement(reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }

        return placements;
    }
}
