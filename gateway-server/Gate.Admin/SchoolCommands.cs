using System.CommandLine;
using System.Globalization;
using System.Net;

namespace Gate.Admin;

internal static class SchoolCommands
{
    public static Command Build(Session session)
    {
        var school = new Command("school", "Schools: the places devices stand and the police know");

        var id = new Option<string>("--id") { Description = "School id: 1-32 of a-z, 0-9, '-' (used in topics and logs)", Required = true };
        var name = new Option<string>("--name") { Description = "School name", Required = true };
        var district = new Option<string?>("--district") { Description = "District (区/县)" };
        var address = new Option<string?>("--address") { Description = "Street address" };
        var lat = new Option<double?>("--lat") { Description = "Latitude, -90..90" };
        var lon = new Option<double?>("--lon") { Description = "Longitude, -180..180" };
        var police = new Option<string?>("--police-account") { Description = "The school's account at the police alarm-receiving centre" };
        var update = new Option<bool>("--update") { Description = "Change an existing school instead of refusing" };
        var add = new Command("add", "Register a school (admin)") { id, name, district, address, lat, lon, police, update };
        add.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var schoolId = parse.GetValue(id)!;
            if (!parse.GetValue(update))
            {
                var existing = await api.GetAsync($"/api/schools/{Uri.EscapeDataString(schoolId)}", ct);
                if (existing.Ok)
                {
                    return session.Fail($"school '{schoolId}' already exists (use --update to change it)");
                }

                if (existing.Status != HttpStatusCode.NotFound)
                {
                    return session.Fail(existing.Error);
                }
            }

            var result = await api.PutAsync($"/api/schools/{Uri.EscapeDataString(schoolId)}", new
            {
                id = schoolId,
                name = parse.GetValue(name),
                district = parse.GetValue(district) ?? "",
                address = parse.GetValue(address) ?? "",
                latitude = parse.GetValue(lat),
                longitude = parse.GetValue(lon),
                policeAccount = parse.GetValue(police),
            }, ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            session.Out.WriteLine($"school {schoolId} saved: {Session.Text(result.Body, "name")}");
            return 0;
        });

        var list = new Command("list", "List schools");
        list.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var result = await api.GetAsync("/api/schools", ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            foreach (var s in result.Body!.AsArray())
            {
                session.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Session.Text(s, "id"),-24} {Session.Text(s, "district"),-12} {Session.Text(s, "name")}  police account {Session.Text(s, "policeAccount")}"));
            }

            return 0;
        });

        school.Subcommands.Add(add);
        school.Subcommands.Add(list);
        return school;
    }
}
