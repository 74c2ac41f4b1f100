using Gate.Server.Events;
using Microsoft.AspNetCore.Identity;

namespace Gate.Server.Tests;

/// <summary>Issue 12 failures 3 and 4: password guessing is throttled and locked, and unknown names cost a hash too.</summary>
public sealed class LoginSecurityTests
{
    [Fact]
    public async Task Login_FiveWrongPasswords_LocksTheNameEvenForTheRightPasswordUntilTheLockEnds()
    {
        using var server = new GateServerFactory();
        var client = server.CreateClient();

        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            wrong.Add((await Login(client, "admin", "wrong-password-" + i)).StatusCode);
        }

        var rightWhileLocked = await Login(client, "admin", GateServerFactory.AdminPassword);
        server.Time.Advance(TimeSpan.FromSeconds(61));
        var rightAfterLock = await Login(client, "admin", GateServerFactory.AdminPassword);

        Assert.All(wrong, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightWhileLocked.StatusCode);
        Assert.Equal("60", rightWhileLocked.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, rightAfterLock.StatusCode);
    }

    [Fact]
    public async Task Login_FailingAgainAfterALock_DoublesTheLock()
    {
        using var server = new GateServerFactory();
        var client = server.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await Login(client, "admin", "wrong-password");
        }

        server.Time.Advance(TimeSpan.FromSeconds(61));
        var sixth = await Login(client, "admin", "wrong-password");
        var locked = await Login(client, "admin", GateServerFactory.AdminPassword);
        server.Time.Advance(TimeSpan.FromSeconds(119));
        var stillLocked = await Login(client, "admin", GateServerFactory.AdminPassword);
        server.Time.Advance(TimeSpan.FromSeconds(2));
        var open = await Login(client, "admin", GateServerFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, sixth.StatusCode);
        Assert.Equal("120", locked.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task Login_UnknownName_IsLockedLikeAKnownOne()
    {
        using var server = new GateServerFactory();
        var client = server.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await Login(client, "nobody-here", "wrong-password");
        }

        var unknown = await Login(client, "nobody-here", "wrong-password");
        var otherName = await Login(client, "admin", GateServerFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherName.StatusCode);
    }

    [Fact]
    public async Task Login_LockAndFailures_AreInTheAuditTrailForAdminsOnly()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { ["Security:LockoutThreshold"] = "2" });
        var admin = await server.AdminClientAsync();
        (await admin.PostAsJsonAsync("/api/users", new { name = "viewer1", password = "viewer-password-1", roles = new[] { Roles.Viewer } })).EnsureSuccessStatusCode();
        var attacker = server.CreateClient();
        await Login(attacker, "duty1", "guess-1");
        await Login(attacker, "duty1", "guess-2");

        var trail = await WaitForEventsAsync(admin, "/api/events?category=security", e => e.Any(r => r.Type == SecurityEvents.LoginLocked));
        var viewer = await server.ClientAsAsync("viewer1", "viewer-password-1");
        var viewerAudit = await viewer.GetAsync("/api/events?category=security");
        var viewerAll = await viewer.GetFromJsonAsync<List<EventRecord>>("/api/events");

        var locked = Assert.Single(trail, r => r.Type == SecurityEvents.LoginLocked);
        Assert.Equal("duty1", locked.Actor);
        Assert.Contains("locked for 60 s", locked.Detail);
        Assert.Equal(2, trail.Count(r => r.Type == SecurityEvents.LoginFailed && r.Actor == "duty1"));
        Assert.Contains(trail, r => r.Type == SecurityEvents.UserCreated && r.Detail!.Contains("viewer1"));
        Assert.DoesNotContain(trail, r => !SecurityEvents.All.Contains(r.Type));
        var onlyLocks = await admin.GetFromJsonAsync<List<EventRecord>>("/api/events?category=security&type=login_locked");
        var notAuditType = await admin.GetAsync("/api/events?category=security&type=liveness");
        Assert.All(onlyLocks!, r => Assert.Equal(SecurityEvents.LoginLocked, r.Type));
        Assert.Single(onlyLocks!);
        Assert.Equal(HttpStatusCode.BadRequest, notAuditType.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerAudit.StatusCode);
        Assert.DoesNotContain(viewerAll!, r => SecurityEvents.AdminOnly.Contains(r.Type));
    }

    [Fact]
    public async Task Login_MoreAttemptsFromOneAddressThanAllowed_AreRefusedWith429()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { ["Security:LoginPermitsPerMinute"] = "3" });
        var client = server.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            // A different name each time: the per-name lock never applies, only the per-address limiter.
            statuses.Add((await Login(client, "spray-" + i, "wrong-password")).StatusCode);
        }

        // The limiter's one-minute window runs on the real clock; even if it rolled over once mid-test, at most 6 get through.
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 3, 6);
    }

    [Fact]
    public void CheckPassword_UnknownOrDisabledUser_StillVerifiesAPasswordHash()
    {
        var folder = Path.Combine(Path.GetTempPath(), "gate-login-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var database = new GateDatabase(Path.Combine(folder, "gate.db"));
            database.Migrate();
            var hasher = new CountingHasher();
            var store = new UserStore(database, TimeProvider.System, hasher);
            store.CreateUser("admin", "admin-password-1", [Roles.Admin]);

            hasher.Verified = 0;
            Assert.Null(store.CheckPassword("admin", "wrong-password"));
            var forKnownUser = hasher.Verified;
            hasher.Verified = 0;
            Assert.Null(store.CheckPassword("no-such-user", "wrong-password"));
            var forUnknownUser = hasher.Verified;

            Assert.Equal(1, forKnownUser);
            Assert.Equal(1, forUnknownUser);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static Task<HttpResponseMessage> Login(HttpClient client, string user, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { user, password });

    // The event log is written by a background batcher; read until the records are there.
    internal static Task<List<EventRecord>> WaitForEventsAsync(HttpClient client, string url, Func<List<EventRecord>, bool> done) =>
        Wait.ForValueAsync(async () => (await client.GetFromJsonAsync<List<EventRecord>>(url))!, done, "events at " + url);

    private sealed class CountingHasher : IPasswordHasher<string>
    {
        private readonly PasswordHasher<string> _inner = new();

        public int Verified { get; set; }

        public string HashPassword(string user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(string user, string hashedPassword, string providedPassword)
        {
            Verified++;
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
