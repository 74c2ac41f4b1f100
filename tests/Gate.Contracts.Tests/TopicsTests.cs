namespace Gate.Contracts.Tests;

public class TopicsTests
{
    [Theory]
    [InlineData("gate/v1/school-1/gate-01/heartbeat", "school-1", "gate-01", "heartbeat")]
    [InlineData("gate/v1/s/d/alarm", "s", "d", "alarm")]
    [InlineData("gate/v1/0/9/status", "0", "9", "status")]
    [InlineData("gate/v1/school-1/gate-01/state", "school-1", "gate-01", "state")]
    [InlineData("gate/v1/school-1/gate-01/result", "school-1", "gate-01", "result")]
    [InlineData("gate/v1/school-1/gate-01/ack", "school-1", "gate-01", "ack")]
    [InlineData("gate/v1/school-1/gate-01/cmd", "school-1", "gate-01", "cmd")]
    public void TryParse_DeviceTopic_SplitsIntoParts(string topic, string school, string device, string channel)
    {
        Assert.True(Topics.TryParse(topic, out var s, out var d, out var c));
        Assert.Equal((school, device, channel), (s, d, c));
        Assert.Equal(topic, Topics.For(s, d, c));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gate/v2/school-1/gate-01/heartbeat")]
    [InlineData("gate/v1/school-1/gate-01")]
    [InlineData("gate/v1/school-1/gate-01/")]
    [InlineData("gate/v1/school-1/gate-01/heartbeat/extra")]
    [InlineData("gate/v1/+/gate-01/heartbeat")]
    [InlineData("gate/v1/school-1/#")]
    [InlineData("gate/v1/school-1/+/alarm")]
    [InlineData("gate/v1//gate-01/alarm")]
    [InlineData("gate/v1/School-1/gate-01/alarm")]
    [InlineData("gate/v1/school-1/gate-01/Alarm")]
    [InlineData("gate/v1/school-1/gate-01/config")]
    [InlineData("/gate/v1/school-1/gate-01/alarm")]
    [InlineData("GATE/v1/school-1/gate-01/alarm")]
    [InlineData("gate/v1/-school/gate-01/alarm")]
    [InlineData("gate/v1/school 1/gate-01/alarm")]
    [InlineData("gate/v1/school-1/gate-01/alarm\0")]
    public void TryParse_AnythingElse_IsRefusedWithNullParts(string? topic)
    {
        Assert.False(Topics.TryParse(topic!, out var s, out var d, out var c));
        Assert.Null(s);
        Assert.Null(d);
        Assert.Null(c);
    }

    [Fact]
    public void TryParse_TopicLongerThanLimit_IsRefused()
    {
        string topic = Topics.For(new string('s', 32), new string('d', 32), Topics.Heartbeat);
        Assert.True(Topics.TryParse(topic, out _, out _, out _));
        Assert.False(Topics.TryParse(topic + new string('x', Limits.MaxTopicLength), out _, out _, out _));
    }

    [Fact]
    public void Channels_DevicePublishAndSubscribe_AreDisjointAndComplete()
    {
        string[] publish = [Topics.Status, Topics.Heartbeat, Topics.Alarm, Topics.State, Topics.Result];
        string[] subscribe = [Topics.Ack, Topics.Command];
        Assert.All(publish, c => Assert.True(Topics.IsDevicePublishChannel(c) && !Topics.IsDeviceSubscribeChannel(c)));
        Assert.All(subscribe, c => Assert.True(Topics.IsDeviceSubscribeChannel(c) && !Topics.IsDevicePublishChannel(c)));
        Assert.False(Topics.IsDevicePublishChannel("#"));
        Assert.False(Topics.IsDeviceSubscribeChannel("+"));
    }

    [Fact]
    public void DeviceRoot_IsThePrefixOfEveryDeviceTopic()
    {
        Assert.Equal("gate/v1/school-1/gate-01/", Topics.DeviceRoot("school-1", "gate-01"));
        Assert.StartsWith(Topics.DeviceRoot("school-1", "gate-01"), Topics.For("school-1", "gate-01", Topics.Alarm), StringComparison.Ordinal);
    }
}
