using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gate.Contracts;
using Gate.Server.Alarms;
using Gate.Server.Security;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>
/// The API's contract as a client generator or a script sees it: rules enforced on the server, repeated transitions
/// idempotent, and every refusal one shape (RFC 7807 ProblemDetails naming the field or saying why).
/// </summary>
public sealed class ApiContractTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    [InlineData("{\"note\":\"\"}")]
    [InlineData("{\"note\":\"   \"}")]
    public async Task Resolve_WithoutNote_Is400NamingNoteAndLeavesTheAlarmOpen(string? body)
    {
        using var server = new GateServerFactory();
        var (admin, alarmId) = await OpenAlarmAsync(server);

        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        var response = await admin.PostAsync($"/api/alarms/{alarmId}/resolve", content);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("required", problem.GetProperty("errors").GetProperty("note")[0].GetString());
        Assert.Equal(AlarmStatus.Open, server.Get<AlarmStore>().Find(alarmId)!.Status);
    }

    [Fact]
    public async Task AcknowledgeAndResolve_Twice_AddOneStepEachAndAnswerTheSame()
    {
        using var server = new GateServerFactory();
        var (admin, alarmId) = await OpenAlarmAsync(server);

        var ack1 = await admin.PostAsJsonAsync($"/api/alarms/{alarmId}/acknowledge", new { note = "patrol on the way" });
        var ack2 = await admin.PostAsJsonAsync($"/api/alarms/{alarmId}/acknowledge", new { note = "clicked again" });
        var resolved1 = await admin.PostAsJsonAsync($"/api/alarms/{alarmId}/resolve", new { note = "false alarm, guard confirmed" });
        var resolved2 = await admin.PostAsJsonAsync($"/api/alarms/{alarmId}/resolve", new { note = "retried by the client" });

        Assert.Equal(HttpStatusCode.OK, ack2.StatusCode);
        Assert.Equal(await ack1.Content.ReadAsStringAsync(), await ack2.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resolved2.StatusCode);
        Assert.Equal(await resolved1.Content.ReadAsStringAsync(), await resolved2.Content.ReadAsStringAsync());
        var steps = server.Get<AlarmStore>().Find(alarmId)!.Steps;
        Assert.Single(steps, s => s.Step == AlarmStep.OperatorAck);
        Assert.Equal("false alarm, guard confirmed", Assert.Single(steps, s => s.Step == AlarmStep.Resolved).Detail);
    }

    [Fact]
    public async Task Body_MalformedJsonOrWrongTypes_NamesTheFieldAndWhy()
    {
        using var server = new GateServerFactory();
        server.AddSchool("school-a");
        var admin = await server.AdminClientAsync();

        var malformed = await AssertProblemAsync(await PostRawAsync(admin, "/api/devices", "{\"id\": \"gate-9\", "), HttpStatusCode.BadRequest);
        var wrongType = await AssertProblemAsync(await PostRawAsync(admin, "/api/devices", "{\"id\": \"gate-9\", \"schoolId\": \"school-a\", \"heartbeatIntervalSeconds\": \"often\"}"), HttpStatusCode.BadRequest);
        var wrongString = await AssertProblemAsync(await PostRawAsync(admin, "/api/users", "{\"name\": 42, \"password\": \"long-enough-pw\", \"roles\": [\"viewer\"]}"), HttpStatusCode.BadRequest);
        var noBody = await AssertProblemAsync(await admin.PostAsync("/api/devices", new StringContent("", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

        Assert.StartsWith("not valid JSON", malformed.GetProperty("errors").GetProperty("body")[0].GetString());
        Assert.Equal("a whole number", wrongType.GetProperty("errors").GetProperty("heartbeatIntervalSeconds")[0].GetString());
        Assert.Equal("a string", wrongString.GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.True(noBody.GetProperty("errors").TryGetProperty("body", out _), noBody.ToString());
    }

    [Fact]
    public async Task Login_WithEmptyObject_Is400NamingUserAndPasswordNot401()
    {
        using var server = new GateServerFactory();
        var client = server.CreateClient();

        var problem = await AssertProblemAsync(await client.PostAsJsonAsync("/api/auth/login", new { }), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("user", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        await AssertProblemAsync(await client.PostAsJsonAsync("/api/auth/login", new { user = "admin", password = "wrong-password" }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateUser_Duplicate_Is409WithDetail()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        var user = new { name = "duty-1", password = "long-enough-pw", roles = new[] { Roles.DutyOfficer } };
        (await admin.PostAsJsonAsync("/api/users", user)).EnsureSuccessStatusCode();

        var problem = await AssertProblemAsync(await admin.PostAsJsonAsync("/api/users", user), HttpStatusCode.Conflict);

        Assert.Contains("duty-1", problem.GetProperty("detail").GetString());
        Assert.Contains("already exists", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/devices?state=bogus", "state", "online")]
    [InlineData("/api/devices?school=NOT%20AN%20ID", "school", "a-z")]
    [InlineData("/api/alarms?limit=-5", "limit", "1 to 1000")]
    [InlineData("/api/alarms?limit=5000", "limit", "1 to 1000")]
    [InlineData("/api/alarms?limit=abc", "limit", "whole number")]
    [InlineData("/api/alarms?open=maybe", "open", "true or false")]
    [InlineData("/api/alarms?device=..", "device", "a-z")]
    [InlineData("/api/events?limit=0", "limit", "1 to 1000")]
    [InlineData("/api/events?before=-1", "before", "positive")]
    [InlineData("/api/events?type=Not%20A%20Type", "type", "event type")]
    [InlineData("/api/commands?limit=-5", "limit", "1 to 1000")]
    [InlineData("/api/devices/gate-1/events?limit=-5", "limit", "1 to 1000")]
    [InlineData("/api/status-page/compliance?days=0", "days", "1 to 366")]
    [InlineData("/api/status-page/compliance.csv?lang=fr", "lang", "zh-CN")]
    [InlineData("/api/status-page/compliance.csv?detail=everything", "detail", "campuses")]
    [InlineData("/api/mqtt/mosquitto/acl?serverUser=a%20b", "serverUser", "a-z")]
    [InlineData("/api/devices?stat=online", "stat", "it takes school, state")]
    [InlineData("/api/alarms?lmit=5", "lmit", "limit")]
    [InlineData("/api/schools?limit=5", "limit", "it takes none")]
    public async Task ListQuery_ValueOutsideItsRule_Is400NamingTheParameter(string url, string parameter, string rule)
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        var admin = await server.AdminClientAsync();

        var problem = await AssertProblemAsync(await admin.GetAsync(url), HttpStatusCode.BadRequest);

        var said = problem.GetProperty("errors").GetProperty(parameter)[0].GetString()!;
        Assert.Contains(rule, said.Replace("-", " to ", StringComparison.Ordinal).Replace("from ", "", StringComparison.Ordinal) + " " + said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceList_BogusState_ListsTheAllowedStates()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        var problem = await AssertProblemAsync(await admin.GetAsync("/api/devices?state=bogus"), HttpStatusCode.BadRequest);

        Assert.Equal("one of never_seen, unknown, online, late, offline", problem.GetProperty("errors").GetProperty("state")[0].GetString());
    }

    [Theory]
    [InlineData("GET", "/api/schools/nosuch")]
    [InlineData("GET", "/api/devices/nosuch")]
    [InlineData("GET", "/api/devices/nosuch/events")]
    [InlineData("POST", "/api/devices/nosuch/credential")]
    [InlineData("POST", "/api/devices/nosuch/revoke")]
    [InlineData("POST", "/api/devices/nosuch/commands")]
    [InlineData("GET", "/api/alarms/nosuch")]
    [InlineData("POST", "/api/alarms/nosuch/acknowledge")]
    [InlineData("POST", "/api/alarms/nosuch/resolve")]
    [InlineData("GET", "/api/alarms/nosuch/delivery")]
    [InlineData("POST", "/api/alarms/nosuch/delivery/retry")]
    [InlineData("GET", "/api/commands/nosuch")]
    [InlineData("GET", "/api/provisioning/devices/nosuch")]
    [InlineData("POST", "/api/provisioning/devices/nosuch/bundle")]
    [InlineData("GET", "/api/provisioning/acceptance/nosuch")]
    [InlineData("DELETE", "/api/api-keys/nosuch")]
    [InlineData("GET", "/api/status-page/devices/nosuch")]
    [InlineData("GET", "/api/status-page/devices/nosuch/events")]
    [InlineData("GET", "/api/nosuch-endpoint")]
    public async Task UnknownId_Is404ProblemNamingIt(string method, string url)
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { note = "n", name = CommandName.RaiseBollard });
        }

        var problem = await AssertProblemAsync(await admin.SendAsync(request), HttpStatusCode.NotFound);

        Assert.Contains("nosuch", problem.GetProperty("detail").GetString() + url);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task PutSchool_BodyIdDiffersFromRoute_Is400AndNothingIsSaved()
    {
        using var server = new GateServerFactory();
        var admin = await server.AdminClientAsync();

        var problem = await AssertProblemAsync(
            await admin.PutAsJsonAsync("/api/schools/zz-1", new { id = "zz-2", name = "Zhengzhou No. 1", district = "Jinshui", address = "1 Road" }), HttpStatusCode.BadRequest);

        Assert.Contains("zz-2", problem.GetProperty("errors").GetProperty("id")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/schools/zz-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/schools/zz-2")).StatusCode);
        (await admin.PutAsJsonAsync("/api/schools/zz-1", new { id = "zz-1", name = "Zhengzhou No. 1" })).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData(Roles.Technician, "PUT", "/api/schools/zz-1", "needs the admin role; this account has: technician")]
    [InlineData(Roles.Viewer, "POST", "/api/devices", "needs the admin or technician role; this account has: viewer")]
    [InlineData(Roles.Technician, "POST", "/api/alarms/x/resolve", "needs the admin or duty_officer role")]
    [InlineData(Roles.DutyOfficer, "GET", "/api/events?category=security", "needs the admin role")]
    public async Task RoleDenied_NamesTheRoleActuallyRequired(string role, string method, string url, string expected)
    {
        using var server = new GateServerFactory();
        var client = server.ClientWithKey(role);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new { name = "Zhengzhou No. 1", id = "g1", schoolId = "zz-1", note = "n" });
        }

        var problem = await AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden);

        Assert.Contains(expected, problem.GetProperty("detail").GetString());
    }

    /// <summary>Every kind of refusal the API gives, walked once: each is application/problem+json with status, title and detail or errors.</summary>
    [Fact]
    public async Task EveryRefusal_IsProblemDetailsWithStatusTitleAndDetailOrErrors()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        var admin = await server.AdminClientAsync();
        var anonymous = server.CreateClient();
        var viewer = server.ClientWithKey(Roles.Viewer);
        var badKey = server.CreateClient();
        badKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "gate_not-a-key");
        (await admin.PostAsJsonAsync("/api/users", new { name = "dup", password = "long-enough-pw", roles = new[] { Roles.Viewer } })).EnsureSuccessStatusCode();

        var cases = new (string What, HttpClient Client, Func<HttpRequestMessage> Request, HttpStatusCode Status)[]
        {
            ("not signed in", anonymous, () => new(HttpMethod.Get, "/api/devices"), HttpStatusCode.Unauthorized),
            ("unknown API key", badKey, () => new(HttpMethod.Get, "/api/devices"), HttpStatusCode.Unauthorized),
            ("wrong password", anonymous, () => Json(HttpMethod.Post, "/api/auth/login", "{\"user\":\"admin\",\"password\":\"wrong-password\"}"), HttpStatusCode.Unauthorized),
            ("login without fields", anonymous, () => Json(HttpMethod.Post, "/api/auth/login", "{}"), HttpStatusCode.BadRequest),
            ("role missing", viewer, () => new(HttpMethod.Get, "/api/users"), HttpStatusCode.Forbidden),
            ("malformed JSON", admin, () => Json(HttpMethod.Post, "/api/devices", "{"), HttpStatusCode.BadRequest),
            ("wrong type", admin, () => Json(HttpMethod.Post, "/api/devices", "{\"id\": 1}"), HttpStatusCode.BadRequest),
            ("not JSON", admin, () => new(HttpMethod.Post, "/api/devices") { Content = new StringContent("id=1", Encoding.UTF8, "text/plain") }, HttpStatusCode.UnsupportedMediaType),
            ("field rule", admin, () => Json(HttpMethod.Post, "/api/devices", "{\"id\":\"BAD ID\",\"schoolId\":\"school-a\"}"), HttpStatusCode.BadRequest),
            ("duplicate device", admin, () => Json(HttpMethod.Post, "/api/devices", "{\"id\":\"gate-1\",\"schoolId\":\"school-a\"}"), HttpStatusCode.Conflict),
            ("duplicate user", admin, () => Json(HttpMethod.Post, "/api/users", "{\"name\":\"dup\",\"password\":\"long-enough-pw\",\"roles\":[\"viewer\"]}"), HttpStatusCode.Conflict),
            ("query rule", admin, () => new(HttpMethod.Get, "/api/devices?state=bogus"), HttpStatusCode.BadRequest),
            ("query type", admin, () => new(HttpMethod.Get, "/api/alarms?limit=abc"), HttpStatusCode.BadRequest),
            ("resolve without note", admin, () => Json(HttpMethod.Post, "/api/alarms/x/resolve", "{}"), HttpStatusCode.BadRequest),
            ("unknown id", admin, () => new(HttpMethod.Get, "/api/provisioning/devices/nosuch"), HttpStatusCode.NotFound),
            ("not in outbox", admin, () => new(HttpMethod.Get, "/api/alarms/nosuch/delivery"), HttpStatusCode.NotFound),
            ("provisioning refusal", admin, () => Json(HttpMethod.Post, "/api/provisioning/devices", "{\"id\":\"g2\",\"schoolId\":\"nowhere\",\"board\":\"esp32-devkitc\"}"), HttpStatusCode.NotFound),
            ("route/body mismatch", admin, () => Json(HttpMethod.Put, "/api/schools/school-a", "{\"id\":\"school-b\",\"name\":\"A\"}"), HttpStatusCode.BadRequest),
            ("unknown route", admin, () => new(HttpMethod.Get, "/api/nothing-here"), HttpStatusCode.NotFound),
            ("body too large", admin, () => Json(HttpMethod.Put, "/api/schools/school-a", "{\"name\":\"" + new string('x', 20_000) + "\"}"), HttpStatusCode.RequestEntityTooLarge),
        };

        foreach (var (what, client, request, status) in cases)
        {
            using var message = request();
            var response = await client.SendAsync(message);
            var problem = await AssertProblemAsync(response, status, what);
            Assert.True(problem.TryGetProperty("title", out var title) && title.GetString()!.Length > 0, what + ": no title");
            var hasDetail = problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && detail.GetString()!.Length > 0;
            var hasErrors = problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any();
            Assert.True(hasDetail || hasErrors, what + ": neither detail nor errors in " + problem);
        }
    }

    private static HttpRequestMessage Json(HttpMethod method, string url, string body) =>
        new(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string url, string body) => client.SendAsync(Json(HttpMethod.Post, url, body));

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? what = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{what}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what}: content type {response.Content.Headers.ContentType}: {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static async Task<(HttpClient Admin, string AlarmId)> OpenAlarmAsync(GateServerFactory server)
    {
        var credential = server.AddDevice("school-a", "gate-1");
        await using var device = await server.ConnectDeviceAsync(credential);
        var alarm = device.NewAlarm(7, 1);
        await device.SendAlarmAsync(alarm);
        await device.WaitForAckAsync(alarm.Id, AckStage.Received);
        return (await server.AdminClientAsync(), alarm.Id);
    }
}
