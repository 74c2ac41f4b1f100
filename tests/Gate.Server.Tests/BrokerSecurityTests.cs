using MQTTnet.Protocol;

namespace Gate.Server.Tests;

public sealed class BrokerSecurityTests
{
    [Fact]
    public async Task Broker_WrongPasswordOrUnknownDevice_IsRefusedAndCounted()
    {
        using var server = new GateServerFactory();
        var credential = server.AddDevice("school-a", "gate-1");
        var factory = new MqttClientFactory();

        var wrong = await ConnectResultAsync(server, "gate-1", "gate-1", "not-the-secret");
        var unknown = await ConnectResultAsync(server, "gate-9", "gate-9", credential.Password);
        var borrowed = await ConnectResultAsync(server, "gate-1", "gate-2", credential.Password);
        await using var right = await server.ConnectDeviceAsync(credential);

        var counters = server.Get<IngestCounters>();
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrong);
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, unknown);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, borrowed);
        Assert.Equal(1, counters.RejectedCount("connect:bad_credential"));
        Assert.Equal(1, counters.RejectedCount("connect:unknown_device"));
        Assert.Equal(1, counters.RejectedCount("connect:username_mismatch"));
        Assert.True(right.Client.IsConnected);
    }

    [Fact]
    public async Task Broker_DevicePublishingOnAnotherDevicesTopic_IsRefusedAndNothingIsStored()
    {
        using var server = new GateServerFactory();
        await using var device = await ConnectBesideGate2Async(server);

        var forged = device.NewAlarm(3, 1);
        forged.Id = Identifier.AlarmId("gate-2", 3, 1);
        forged.Device = "gate-2";
        await device.PublishToAsync(Topics.For("school-a", "gate-2", Topics.Alarm), Gate.Server.Wire.WireEncoder.EncodeAlarm(forged));
        await device.PublishToAsync(Topics.For("school-a", "gate-1", Topics.Command), "{}"u8.ToArray());
        await device.PublishToAsync("gate/v1/school-a/gate-1/anything", "{}"u8.ToArray());

        // A valid alarm afterwards proves the connection and its stream are intact.
        var own = device.NewAlarm(3, 2);
        await device.SendAlarmAndAwaitReceivedAsync(own);

        var counters = server.Get<IngestCounters>();
        Assert.Equal(1, counters.RejectedCount("foreign_topic"));
        Assert.Equal(1, counters.RejectedCount("not_publish_channel"));
        Assert.Equal(1, counters.RejectedCount("bad_topic"));
        Assert.Null(server.Get<AlarmStore>().Find(forged.Id));
    }

    [Fact]
    public async Task Broker_DeviceSubscribingBeyondItsOwnTopics_IsRefused()
    {
        using var server = new GateServerFactory();
        await using var device = await ConnectBesideGate2Async(server);

        var result = await device.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.For("school-a", "gate-2", Topics.Command), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("gate/v1/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.For("school-a", "gate-1", Topics.Command), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var codes = result.Items.Select(i => i.ResultCode).ToList();
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, codes[0]);
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, codes[1]);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, codes[2]);
        Assert.Equal(2, server.Get<IngestCounters>().RejectedCount("acl_subscribe"));
    }

    [Fact]
    public async Task Broker_RevokedCredential_DisconnectsDeviceAndRefusesReconnect()
    {
        using var server = new GateServerFactory();
        var credential = server.AddDevice("school-a", "gate-1");
        await using var device = await server.ConnectDeviceAsync(credential);
        var admin = await server.AdminClientAsync();

        var response = await admin.PostAsync("/api/devices/gate-1/revoke", null);
        response.EnsureSuccessStatusCode();

        var liveness = server.Get<Gate.Server.Liveness.LivenessTracker>().Find("gate-1")!;
        Assert.Equal(Gate.Server.Liveness.LivenessState.Offline, liveness.State);
        Assert.Equal(Gate.Server.Liveness.LivenessReason.CredentialRevoked, liveness.Reason);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await ConnectResultAsync(server, "gate-1", "gate-1", credential.Password));
        Assert.Equal(1, server.Get<IngestCounters>().RejectedCount("connect:credential_revoked"));
    }

    [Fact]
    public async Task Broker_Full_RefusesFurtherConnectionsUntilOneLeaves()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { ["Mqtt:Embedded:MaxConnections"] = "1" });
        var first = server.AddDevice("school-a", "gate-1");
        var second = server.AddDevice("school-a", "gate-2");
        var device = await server.ConnectDeviceAsync(first);

        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, await ConnectResultAsync(server, "gate-2", "gate-2", second.Password));
        Assert.Equal(1, server.Get<IngestCounters>().RejectedCount("connect:server_full"));
        Assert.Equal(1, server.Get<EmbeddedBroker>().Connected);

        await device.DisposeAsync();
        await Wait.UntilAsync(() => server.Get<EmbeddedBroker>().Connected == 0, "the first device gone from the broker");

        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectResultAsync(server, "gate-2", "gate-2", second.Password));
    }

    [Theory]
    [InlineData("Max open files            20000                20000                files     \n", 20000L)]
    [InlineData("Max processes             96365                96365                processes \nMax open files            1024                 524288               files     \n", 1024L)]
    [InlineData("Max open files            unlimited            unlimited            files     \n", null)]
    [InlineData("", null)]
    public void OpenFileLimit_ReadsTheSoftLimit(string limits, long? expected) =>
        Assert.Equal(expected, OpenFileLimit.Parse(limits));

    [Fact]
    public void ConnectionCap_IsTheFileLimitLessTheReserve_UnlessConfigured()
    {
        Assert.Equal(18_976, EmbeddedBroker.ConnectionCap(new EmbeddedBrokerOptions(), 20_000));
        Assert.Equal(500, EmbeddedBroker.ConnectionCap(new EmbeddedBrokerOptions { MaxConnections = 500 }, 20_000));
        Assert.Equal(int.MaxValue, EmbeddedBroker.ConnectionCap(new EmbeddedBrokerOptions(), null));
    }

    /// <summary>The broker's answer to a CONNECT.</summary>
    private static async Task<MqttClientConnectResultCode> ConnectResultAsync(GateServerFactory server, string clientId, string user, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(TestDevice.Options(server.BrokerPort, clientId, user, password, false, null));
        return result.ResultCode;
    }

    /// <summary>gate-1 connected, with gate-2 registered at the same school: the neighbour it must not reach.</summary>
    private static async Task<TestDevice> ConnectBesideGate2Async(GateServerFactory server)
    {
        var mine = server.AddDevice("school-a", "gate-1");
        server.AddDevice("school-a", "gate-2");
        return await server.ConnectDeviceAsync(mine);
    }
}
