namespace Gate.Server.Tests;

/// <summary>A school can never be saved with a police account the forwarder could not deliver (issue 11, item 6).</summary>
public sealed class SchoolPoliceAccountTests
{
    [Theory]
    [InlineData("zz")]
    [InlineData("12")]
    [InlineData("12345678901234567")]
    [InlineData("12 34")]
    public async Task PutSchool_UndeliverablePoliceAccount_Is400NamingTheFieldAndNothingIsStored(string account)
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        var response = await admin.PutAsJsonAsync("/api/schools/s-bad", new School("s-bad", "Bad Account School", "Jinshui", "1 Road", null, null, account));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").GetProperty("policeAccount");
        Assert.Contains("3-16 hex digits", errors[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/schools/s-bad")).StatusCode);
    }

    [Fact]
    public async Task PutSchool_ValidAccount_IsStoredUpperCase()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        (await admin.PutAsJsonAsync("/api/schools/s-ok", new School("s-ok", "Good School", "", "", null, null, "00a1b2"))).EnsureSuccessStatusCode();

        var stored = await admin.GetFromJsonAsync<School>("/api/schools/s-ok");
        Assert.Equal("00A1B2", stored!.PoliceAccount);
    }
}
