namespace Gate.Contracts.Tests;

/// <summary>
/// The server ingests about 17,000 heartbeats a second; the decoder must not build a document per message.
/// Allocation is counted (deterministic), never time.
/// </summary>
public class ServerDecoderCostTests
{
    [Fact]
    public void ServerDecoder_Heartbeat_AllocatesOnlyTheMessageAndItsStrings()
    {
        byte[] payload = TestVector.Get("heartbeat/valid-full").Payload;
        Assert.True(WireDecoder.TryDecodeHeartbeat(payload, out _, out _));

        const int Rounds = 200;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            WireDecoder.TryDecodeHeartbeat(payload, out _, out _);
        }

        long perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;

        // Heartbeat + InputStates + the device id and firmware strings: a few hundred bytes. Words come from
        // the word tables and times are parsed in place, so they cost nothing.
        Assert.InRange(perMessage, 1, 400);
    }

    [Fact]
    public void ServerDecoder_Rejection_AllocatesOnlyTheReason()
    {
        byte[] payload = TestVector.Get("heartbeat/rssi-positive").Payload;
        Assert.False(WireDecoder.TryDecodeHeartbeat(payload, out _, out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            WireDecoder.TryDecodeHeartbeat(payload, out _, out _);
        }

        Assert.InRange((GC.GetAllocatedBytesForCurrentThread() - before) / 200, 0, 200);
    }
}
