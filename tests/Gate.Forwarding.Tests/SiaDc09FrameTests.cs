namespace Gate.Forwarding.Tests;

public class SiaDc09FrameTests
{
    private const string SiaDcsExample = "\"SIA-DCS\"9876R579BDFL789ABC#12345A[#12345A|NFA129]";
    private const string AdmCidExample = "\"ADM-CID\"9876R579BDFL789ABC#12345A[#12345A|1110 00 129]";

    [Fact]
    public void Crc_StandardSiaDcsExample_IsCE11WithLength0032()
    {
        var frame = SiaDc09Frame.Wrap(SiaDcsExample);

        Assert.Equal("CE11", SiaCrc.ToHex(Encoding.ASCII.GetBytes(SiaDcsExample)));
        Assert.Equal("\nCE110032" + SiaDcsExample + "\r", Encoding.ASCII.GetString(frame));
    }

    [Fact]
    public void Crc_StandardAdmCidExample_Is87CDWithLength0037()
    {
        var frame = SiaDc09Frame.Wrap(AdmCidExample);

        Assert.Equal("87CD", SiaCrc.ToHex(Encoding.ASCII.GetBytes(AdmCidExample)));
        Assert.Equal("\n87CD0037" + AdmCidExample + "\r", Encoding.ASCII.GetString(frame));
    }

    [Fact]
    public void Encode_StandardExampleFromFields_ProducesTheStandardsFrame()
    {
        var frame = new SiaDc09Frame
        {
            Token = SiaToken.ContactId,
            Sequence = 9876,
            Receiver = "579BDF",
            LinePrefix = "789ABC",
            Account = "12345A",
            Data = new ContactIdEvent(1, 110, 0, 129).ToDataBlock("12345A"),
        };

        Assert.Equal("\n87CD0037" + AdmCidExample + "\r", Encoding.ASCII.GetString(frame.Encode()));
    }

    [Fact]
    public void Parse_StandardExamples_ReadTheirFields()
    {
        var sia = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes("\nCE110032" + SiaDcsExample + "\r"));
        var cid = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes("\n87CD0037" + AdmCidExample + "\r"));

        Assert.True(sia.Ok, sia.Detail);
        Assert.Equal(SiaToken.SiaDcs, sia.Frame!.Token);
        Assert.Equal("#12345A|NFA129", sia.Frame.Data);
        Assert.True(cid.Ok, cid.Detail);
        Assert.Equal(9876, cid.Frame!.Sequence);
        Assert.Equal("579BDF", cid.Frame.Receiver);
        Assert.Equal("789ABC", cid.Frame.LinePrefix);
        Assert.Equal("12345A", cid.Frame.Account);
        Assert.True(ContactIdEvent.TryParse(cid.Frame.Data, out var contactId, out var account));
        Assert.Equal(new ContactIdEvent(1, 110, 0, 129), contactId);
        Assert.Equal("12345A", account);
    }

    [Fact]
    public void Parse_RoundTrip_PreservesEveryField()
    {
        var sent = new SiaDc09Frame
        {
            Token = SiaToken.ContactId,
            Sequence = 42,
            Receiver = "1",
            LinePrefix = "2",
            Account = "ABC123",
            Data = "#ABC123|1120 01 001",
            ExtendedData = ["Ialarm gate-1.3.7 panic", "X116.397128", "Y39.916527"],
            Timestamp = new DateTimeOffset(2026, 11, 23, 7, 16, 41, TimeSpan.Zero),
        };

        var parsed = SiaDc09Parser.Parse(sent.Encode());

        Assert.True(parsed.Ok, parsed.Detail);
        var frame = parsed.Frame!;
        Assert.Equal(sent.Token, frame.Token);
        Assert.Equal(sent.Sequence, frame.Sequence);
        Assert.Equal(sent.Receiver, frame.Receiver);
        Assert.Equal(sent.LinePrefix, frame.LinePrefix);
        Assert.Equal(sent.Account, frame.Account);
        Assert.Equal(sent.Data, frame.Data);
        Assert.Equal(sent.ExtendedData, frame.ExtendedData);
        Assert.Equal(sent.Timestamp, frame.Timestamp);
    }

    [Fact]
    public void Timestamp_Format_IsUnderscoreHhMmSsCommaMmDdYyyyInUtc()
    {
        var local = new DateTimeOffset(2026, 11, 23, 15, 4, 5, TimeSpan.FromHours(8));

        Assert.Equal("_07:04:05,11-23-2026", SiaTimestamp.Format(local));
    }

    [Fact]
    public void Parse_OneByteChanged_ReportsCrc()
    {
        var bytes = Encoding.ASCII.GetBytes("\n87CD0037" + AdmCidExample.Replace("129]", "128]") + "\r");

        Assert.Equal(SiaParseError.Crc, SiaDc09Parser.Parse(bytes).Error);
    }

    [Fact]
    public void Parse_LengthFieldWrong_ReportsLength()
    {
        var bytes = Encoding.ASCII.GetBytes("\n87CD0036" + AdmCidExample + "\r");

        Assert.Equal(SiaParseError.Length, SiaDc09Parser.Parse(bytes).Error);
    }

    [Fact]
    public void Parse_RandomBytes_NeverThrowsAndNeverAccepts()
    {
        var random = new Random(12345);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);

            var result = SiaDc09Parser.Parse(bytes);

            Assert.False(result.Ok);
        }
    }

    [Fact]
    public void Parse_ValidCrcButBrokenLayout_ReportsFormat()
    {
        var body = "\"ADM-CID\"12X4L0#1234[#1234|1120 01 001]";

        Assert.Equal(SiaParseError.Format, SiaDc09Parser.Parse(SiaDc09Frame.Wrap(body)).Error);
    }

    [Fact]
    public void Sequence_After9999_WrapsTo0001()
    {
        var client = new Dc09Client(new Dc09ClientOptions { Host = "127.0.0.1", Port = 1 });
        var seen = new List<int>();
        for (var i = 0; i < 10000; i++)
        {
            seen.Add(client.NextSequence());
        }

        Assert.Equal(1, seen[0]);
        Assert.Equal(9999, seen[9998]);
        Assert.Equal(1, seen[9999]);
        Assert.DoesNotContain(0, seen);
    }

    [Fact]
    public async Task FrameReader_SplitsStreamIntoFramesAndSkipsNoise()
    {
        var one = new SiaDc09Frame { Token = SiaToken.Null, Sequence = 1, Account = "123" }.Encode();
        var two = new SiaDc09Frame { Token = SiaToken.Null, Sequence = 2, Account = "123" }.Encode();
        var stream = new MemoryStream([.. "noise"u8, .. one, .. two[..5]]);
        var reader = new SiaFrameReader(stream);

        var first = await reader.ReadFrameAsync(CancellationToken.None);
        var second = await reader.ReadFrameAsync(CancellationToken.None);

        Assert.Equal(one, first);
        Assert.Null(second);
        Assert.Equal(5, reader.Pending);
    }
}
