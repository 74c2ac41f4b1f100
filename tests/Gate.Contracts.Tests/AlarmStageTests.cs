using Gate.Contracts;

namespace Gate.Contracts.Tests;

/// <summary>The one set of stage rules the device's light and the server's store follow.</summary>
public class AlarmStageTests
{
    [Theory]
    [InlineData("", AckStage.Received, true)]
    [InlineData(null, AckStage.Failed, true)]
    [InlineData(AckStage.Received, AckStage.Forwarded, true)]
    [InlineData(AckStage.Received, AckStage.Failed, true)]
    [InlineData(AckStage.Forwarded, AckStage.Failed, true)]
    [InlineData(AckStage.Failed, AckStage.Forwarded, true)]
    [InlineData(AckStage.Failed, AckStage.PoliceAck, true)]
    [InlineData(AckStage.PoliceAck, AckStage.OperatorAck, true)]
    [InlineData(AckStage.Forwarded, AckStage.Received, false)]
    [InlineData(AckStage.Failed, AckStage.Received, false)]
    [InlineData(AckStage.Failed, AckStage.Failed, false)]
    [InlineData(AckStage.PoliceAck, AckStage.Failed, false)]
    [InlineData(AckStage.OperatorAck, AckStage.Forwarded, false)]
    [InlineData(AckStage.PoliceAck, AckStage.PoliceAck, false)]
    [InlineData(AckStage.Received, "delivered", false)]
    public void Advances_ForwardOnly_FailedAndForwardedReplaceEachOther(string? from, string to, bool expected)
    {
        Assert.Equal(expected, AlarmStage.Advances(from!, to));
    }

    [Fact]
    public void Advances_AgreesWithTheServerStoreRule()
    {
        // The rule AlarmStore.AddStep spells out today with AckStage.Rank; the shared lifecycle must give the same answer.
        static bool Store(string stage, string newStage) =>
            AckStage.Rank(newStage) > AckStage.Rank(stage)
            || newStage == AckStage.Failed && (stage == AckStage.Received || stage == AckStage.Forwarded)
            || newStage == AckStage.Forwarded && stage == AckStage.Failed;

        foreach (var from in AckStage.All)
        {
            foreach (var to in AckStage.All)
            {
                Assert.True(Store(from, to) == AlarmStage.Advances(from, to), from + " -> " + to);
            }
        }
    }

    [Fact]
    public void Predicates_NameEachStage()
    {
        Assert.Equal(AckStage.All.ToList(), AckStage.All.Where(AlarmStage.IsStored).ToList());
        Assert.False(AlarmStage.IsStored(""));
        Assert.Equal(new[] { AckStage.Forwarded, AckStage.PoliceAck, AckStage.OperatorAck }, AckStage.All.Where(AlarmStage.IsAtPolice));
        Assert.Equal(new[] { AckStage.PoliceAck, AckStage.OperatorAck }, AckStage.All.Where(AlarmStage.IsAcknowledged));
        Assert.Equal(new[] { AckStage.Failed }, AckStage.All.Where(AlarmStage.IsDeliveryFailing));
        Assert.Equal(new[] { 1, 2, 3, 4, 2 }, AckStage.All.Select(AckStage.Rank));
    }

    [Fact]
    public void IsPress_ButtonKindsOnly()
    {
        Assert.Equal(
            new[] { AlarmKind.Panic, AlarmKind.Duress, AlarmKind.SilentPanic, AlarmKind.Drill },
            AlarmKind.All.Where(AlarmKind.IsPress));
    }
}
