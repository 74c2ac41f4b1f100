using Gate.Server.Validation;

namespace Gate.Server.Tests;

/// <summary>Issue 12 failure 6: every stored text has limits, and a refusal is a 400 ProblemDetails naming the field.</summary>
public sealed class FieldValidationTests
{
    [Theory]
    [InlineData("district")]
    [InlineData("address")]
    [InlineData("name")]
    public async Task PutSchool_FieldLongerThanItsLimit_Is400NamingTheFieldAndNothingIsStored(string field)
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        var body = new Dictionary<string, object?> { ["name"] = "Zhengzhou No. 1", ["district"] = "Jinshui", ["address"] = "1 Road" };
        body[field] = new string('x', 1000);

        var response = await admin.PutAsJsonAsync("/api/schools/zz-1", body);

        await AssertFieldRefusedAsync(response, field);
        Assert.Null(server.Get<DeviceRegistry>().FindSchool("zz-1"));
        (await admin.PutAsJsonAsync("/api/schools/zz-1", new { name = "Zhengzhou No. 1", district = "Jinshui", address = "1 Road" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task PutSchool_ControlCharacterInAName_Is400()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        var response = await admin.PutAsJsonAsync("/api/schools/zz-1", new { name = "Zheng\u0000zhou", district = "Jinshui", address = "1 Road" });

        await AssertFieldRefusedAsync(response, "name");
    }

    [Fact]
    public async Task RegisterDevice_RoleNotInTheProvisioningList_Is400NamingRole()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        (await admin.PutAsJsonAsync("/api/schools/zz-1", new { name = "Zhengzhou No. 1", district = "Jinshui", address = "1 Road" })).EnsureSuccessStatusCode();

        var refused = await admin.PostAsJsonAsync("/api/devices", new { id = "zz-1-gate", schoolId = "zz-1", role = new string('r', 10_000) });
        var accepted = await admin.PostAsJsonAsync("/api/devices", new { id = "zz-1-gate", schoolId = "zz-1", role = "bollard" });

        await AssertFieldRefusedAsync(refused, "role");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal("bollard", server.Get<DeviceRegistry>().Find("zz-1-gate")!.Role);
    }

    [Fact]
    public async Task CreateApiKey_NameTooLong_Is400NamingTheField()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        var response = await admin.PostAsJsonAsync("/api/api-keys", new { name = new string('k', 65), roles = new[] { "viewer" } });

        await AssertFieldRefusedAsync(response, "name");
    }

    [Fact]
    public void TextRule_Limits_AcceptUpToTheLimitAndRefuseBeyondIt()
    {
        Assert.Null(SchoolFields.Address.Check(new string('a', 300)));
        Assert.NotNull(SchoolFields.Address.Check(new string('a', 301)));
        Assert.Null(SchoolFields.District.Check(""));
        Assert.NotNull(SchoolFields.Name.Check("  "));
        Assert.NotNull(SchoolFields.Name.Check("line\nbreak"));
        Assert.Null(PersonFields.AlarmNote.Check("line\nbreak"));
        Assert.NotNull(PersonFields.AlarmNote.Check("escape\u001b[2J"));
    }

    private static async Task AssertFieldRefusedAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
    }
}
