namespace Gate.Server.Provisioning;

/// <summary>
/// Where a device stands (its place at the school, e.g. "北门", its board) and whether it is still in service. A device
/// that was replaced or decommissioned is history: it is neither a tile nor a campus's controller any more.
/// </summary>
public sealed record DevicePlace(string Place, string Status, string Board)
{
    public bool InService => Status is not (PlacementStatus.Replaced or PlacementStatus.Decommissioned);
}
