using Gate.Contracts;
using MQTTnet;
using MQTTnet.Formatter;

namespace Gate.Provisioning.Tests;

/// <summary>Tries a device's credential against the broker, as a controller would at boot.</summary>
internal static class MqttProbe
{
    public static async Task<MqttClientConnectResultCode> ConnectAsync(int port, string schoolId, string deviceId, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(deviceId)
            .WithCredentials(deviceId, password)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(true)
            .WithTimeout(TimeSpan.FromSeconds(20))
            .WithWillTopic(Topics.For(schoolId, deviceId, Topics.Status))
            .WithWillPayload("offline"u8.ToArray())
            .Build();
        try
        {
            var result = await client.ConnectAsync(options);
            await client.DisconnectAsync();
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            // The refusal's code sits on the exception's connect result (its member name moved between MQTTnet versions).
            foreach (var property in e.GetType().GetProperties())
            {
                var value = property.GetValue(e);
                if (value is MqttClientConnectResultCode code)
                {
                    return code;
                }

                if (value is MqttClientConnectResult result)
                {
                    return result.ResultCode;
                }
            }

            throw;
        }
    }
}
