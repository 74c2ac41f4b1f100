using Gate.Server.Devices;

namespace Gate.Server.Validation;

/// <summary>What a school record may hold. One line per field: a new rule is one more line in <see cref="Check"/>.</summary>
public static class SchoolFields
{
    public static readonly TextRule Name = new(200, Required: true);
    public static readonly TextRule District = new(100);
    public static readonly TextRule Address = new(300);

    public static FieldErrors Check(string id, School school) => new FieldErrors()
        .Check("id", DeviceFields.CheckId(id))
        .Check("name", Name.Check(school.Name))
        .Check("district", District.Check(school.District))
        .Check("address", Address.Check(school.Address))
        .Check("coordinates", CheckCoordinates(school.Latitude, school.Longitude))
        // The forwarder's own rule: an account that can never be delivered is refused here, not at the next panic.
        .Check("policeAccount", string.IsNullOrWhiteSpace(school.PoliceAccount) ? null : Gate.SiaDc09.SiaAccount.AccountProblem(school.PoliceAccount.Trim()));

    public static string? CheckCoordinates(double? latitude, double? longitude) =>
        latitude is < -90 or > 90 || longitude is < -180 or > 180 || double.IsNaN(latitude ?? 0) || double.IsNaN(longitude ?? 0)
            ? "latitude -90..90, longitude -180..180"
            : null;
}
