namespace Gate.Server.Returns;

/// <summary>One school's line: its yes/no per column and, for entered columns, the entries in force (who, when, note).</summary>
public sealed record ReturnSchoolLine(
    string SchoolId, string Name, string City, string District, IReadOnlyDictionary<string, bool> Values, IReadOnlyList<ReturnEntry> Entries);

/// <summary>A district's row: per column, how many of its campuses count.</summary>
public sealed record ReturnDistrictRow(string City, string District, IReadOnlyDictionary<string, int> Values);

/// <summary>A city (省辖市, or a county reporting to the province directly) with its districts and their sum.</summary>
public sealed record ReturnCityRow(string City, IReadOnlyList<ReturnDistrictRow> Districts, IReadOnlyDictionary<string, int> Totals);

/// <summary>
/// The return of one month (yyyy-MM): districts rolled up to cities and the province. A closed month is this record as
/// it was kept at the close; an open one is computed when asked, with the measured columns as they are now.
/// </summary>
public sealed record MonthlyReturn(
    string Month,
    string Province,
    bool Closed,
    DateTimeOffset GeneratedAt,
    DateTimeOffset? ClosedAt,
    string? ClosedBy,
    int LinkValidityDays,
    IReadOnlyList<ReturnColumn> Columns,
    IReadOnlyList<ReturnCityRow> Cities,
    IReadOnlyDictionary<string, int> Totals,
    IReadOnlyList<ReturnSchoolLine> Schools,
    IReadOnlyList<ReturnMissingSchool> MissingDrills);

/// <summary>One row of a comparison: the figures of the earlier (closed) month, of this month, and the change.</summary>
public sealed record ReturnChangeRow(
    string Level, string City, string District, IReadOnlyDictionary<string, int> Was, IReadOnlyDictionary<string, int> Now, IReadOnlyDictionary<string, int> Change);

public sealed record ReturnChanges(string Month, string Since, IReadOnlyList<ReturnChangeRow> Rows);

/// <summary>What the return needs to know about a school: where it is and what Gate measured for it.</summary>
public sealed record ReturnSchool(string Id, string Name, string District, bool PanicAlarmLinked, bool AntiRam, bool Drill);

/// <summary>A school the month's drill column does not count, for the office to chase.</summary>
public sealed record ReturnMissingSchool(string SchoolId, string Name, string City, string District);

/// <summary>The return's arithmetic, free of storage: schools and entries in, districts, cities and province out.</summary>
public static class ReturnCalculator
{
    public const string LevelDistrict = "district";
    public const string LevelCity = "city";
    public const string LevelProvince = "province";

    public static MonthlyReturn Calculate(
        string month, string province, IReadOnlyList<ReturnCityOption> cities, IEnumerable<ReturnSchool> schools, IEnumerable<ReturnEntry> entries,
        int linkValidityDays, DateTimeOffset now)
    {
        // Cities and their districts in the configured order (the annex's), anything not configured after, by name.
        var cityOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var districtRank = new Dictionary<string, int>(StringComparer.Ordinal);
        var cityOrder = new List<string>();
        foreach (var city in cities)
        {
            cityOrder.Add(city.Name);
            foreach (var district in city.Districts)
            {
                cityOf.TryAdd(district, city.Name);
                districtRank.TryAdd(district, districtRank.Count);
            }
        }

        var bySchool = entries.GroupBy(e => e.SchoolId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var lines = new List<ReturnSchoolLine>();
        foreach (var school in schools)
        {
            var own = bySchool.GetValueOrDefault(school.Id) ?? [];
            var values = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var column in ReturnColumns.All)
            {
                values[column.Key] = column.Key switch
                {
                    ReturnColumns.Campuses => true,
                    ReturnColumns.PanicAlarmLinked => school.PanicAlarmLinked,
                    ReturnColumns.AntiRam => school.AntiRam,
                    ReturnColumns.Drill => school.Drill,
                    _ => own.FirstOrDefault(e => e.Column == column.Key)?.Value ?? false,
                };
            }

            // A district that is not under a configured city reports on its own row, as the annex's directly
            // administered counties do.
            var cityName = cityOf.GetValueOrDefault(school.District) ?? school.District;
            lines.Add(new ReturnSchoolLine(school.Id, school.Name, cityName, school.District, values, own));
        }

        var rank = cityOrder.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var cityRows = lines
            .GroupBy(l => l.City, StringComparer.Ordinal)
            .OrderBy(g => rank.GetValueOrDefault(g.Key, int.MaxValue)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var districts = g.GroupBy(l => l.District, StringComparer.Ordinal)
                    .OrderBy(d => districtRank.GetValueOrDefault(d.Key, int.MaxValue)).ThenBy(d => d.Key, StringComparer.Ordinal)
                    .Select(d => new ReturnDistrictRow(g.Key, d.Key, Count(d)))
                    .ToList();
                return new ReturnCityRow(g.Key, districts, Sum(districts.Select(d => d.Values)));
            })
            .ToList();
        var cityIndex = cityRows.Select((c, i) => (c.City, i)).ToDictionary(x => x.City, x => x.i, StringComparer.Ordinal);
        var ordered = lines.OrderBy(l => cityIndex[l.City]).ThenBy(l => districtRank.GetValueOrDefault(l.District, int.MaxValue)).ThenBy(l => l.District, StringComparer.Ordinal).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();
        var missing = ordered.Where(l => !l.Values[ReturnColumns.Drill]).Select(l => new ReturnMissingSchool(l.SchoolId, l.Name, l.City, l.District)).ToList();
        return new MonthlyReturn(month, province, false, now, null, null, linkValidityDays, ReturnColumns.All, cityRows, Sum(cityRows.Select(c => c.Totals)), ordered, missing);
    }

    /// <summary>Per district, city and the province: this month against an earlier one, column by column.</summary>
    public static ReturnChanges Compare(MonthlyReturn now, MonthlyReturn was)
    {
        var rows = new List<ReturnChangeRow>();
        var wasDistricts = was.Cities.SelectMany(c => c.Districts).ToDictionary(d => (d.City, d.District));
        var nowDistricts = now.Cities.SelectMany(c => c.Districts).ToDictionary(d => (d.City, d.District));
        var wasCities = was.Cities.ToDictionary(c => c.City, StringComparer.Ordinal);
        var nowCities = now.Cities.ToDictionary(c => c.City, StringComparer.Ordinal);
        var cityNames = now.Cities.Select(c => c.City).Concat(was.Cities.Select(c => c.City)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var city in cityNames)
        {
            var keys = nowDistricts.Keys.Concat(wasDistricts.Keys).Where(k => k.City == city).Distinct();
            foreach (var key in keys)
            {
                rows.Add(Row(LevelDistrict, city, key.District, wasDistricts.GetValueOrDefault(key)?.Values, nowDistricts.GetValueOrDefault(key)?.Values));
            }

            rows.Add(Row(LevelCity, city, "", wasCities.GetValueOrDefault(city)?.Totals, nowCities.GetValueOrDefault(city)?.Totals));
        }

        rows.Add(Row(LevelProvince, "", "", was.Totals, now.Totals));
        return new ReturnChanges(now.Month, was.Month, rows);
    }

    private static ReturnChangeRow Row(string level, string city, string district, IReadOnlyDictionary<string, int>? was, IReadOnlyDictionary<string, int>? now)
    {
        var w = ReturnColumns.All.ToDictionary(c => c.Key, c => was?.GetValueOrDefault(c.Key) ?? 0, StringComparer.Ordinal);
        var n = ReturnColumns.All.ToDictionary(c => c.Key, c => now?.GetValueOrDefault(c.Key) ?? 0, StringComparer.Ordinal);
        return new ReturnChangeRow(level, city, district, w, n, ReturnColumns.All.ToDictionary(c => c.Key, c => n[c.Key] - w[c.Key], StringComparer.Ordinal));
    }

    private static Dictionary<string, int> Count(IEnumerable<ReturnSchoolLine> lines)
    {
        var list = lines.ToList();
        return ReturnColumns.All.ToDictionary(c => c.Key, c => list.Count(l => l.Values[c.Key]), StringComparer.Ordinal);
    }

    private static Dictionary<string, int> Sum(IEnumerable<IReadOnlyDictionary<string, int>> rows)
    {
        var list = rows.ToList();
        return ReturnColumns.All.ToDictionary(c => c.Key, c => list.Sum(r => r.GetValueOrDefault(c.Key)), StringComparer.Ordinal);
    }
}
