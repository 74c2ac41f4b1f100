using Gate.Contracts;

namespace Gate.Contracts.Tests;

/// <summary>The one set of stage rules the device's light, the server's store and its read models follow.</summary>
public class AlarmStageTests
{
    private const string R = AckStage.Received, F = AckStage.Forwarded, X = AckStage.Failed, P = AckStage.PoliceAck, O = AckStage.OperatorAck;

    /// <summary>Every from -> to move between known stages (and from no stage yet), written out once as the lifecycle.</summary>
    public static TheoryData<string?, string, bool> EveryMove => new()
    {
        { null, R, true }, { null, F, true }, { null, X, true }, { null, P, true }, { null, O, true },
        { "", R, true }, { "", F, true }, { "", X, true }, { "", P, true }, { "", O, true },
        { R, R, false }, { R, F, true }, { R, X, true }, { R, P, true }, { R, O, true },
        { F, R, false }, { F, F, false }, { F, X, true }, { F, P, true }, { F, O, true },
        { X, R, false }, { X, F, true }, { X, X, false }, { X, P, true }, { X, O, true },
        { P, R, false }, { P, F, false }, { P, X, false }, { P, P, false }, { P, O, true },
        { O, R, false }, { O, F, false }, { O, X, false }, { O, P, false }, { O, O, false },
    };

    [Theory]
    [MemberData(nameof(EveryMove))]
    public void CanMoveTo_EveryMove_ForwardOnlyAndFailedForwardedReplaceEachOther(string? from, string to, bool expected)
    {
        Assert.Equal(expected, AlarmStage.CanMoveTo(from!, to));
        Assert.Equal(expected, AlarmStage.Advances(from!, to));
    }

    [Fact]
    public void EveryMove_CoversEveryPairOfKnownStages()
    {
        var pairs = EveryMove.Select(row => ((string?)row[0], (string)row[1])).ToHashSet();
        foreach (var from in AckStage.All.Append(null).Append(""))
        {
            foreach (var to in AckStage.All)
            {
                Assert.Contains((from, to), pairs);
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(AckStage.Received)]
    [InlineData(AckStage.Failed)]
    [InlineData(AckStage.OperatorAck)]
    [InlineData("delivered")]
    public void CanMoveTo_UnknownWord_NeverAStage(string? from)
    {
        Assert.False(AlarmStage.CanMoveTo(from!, "delivered"));
        Assert.False(AlarmStage.CanMoveTo(from!, null!));
        Assert.False(AlarmStage.CanMoveTo(from!, ""));
    }

    [Fact]
    public void CanMoveTo_FromUnknownWord_LikeNoStageYet()
    {
        foreach (var to in AckStage.All)
        {
            Assert.True(AlarmStage.CanMoveTo("delivered", to), to);
        }
    }

    [Fact]
    public void CanMoveTo_NeverBackInRank()
    {
        // The table agrees with the order of progress: a move never lowers the rank, and only failed <-> forwarded keep it.
        foreach (var from in AckStage.All)
        {
            foreach (var to in AlarmStage.NextOf(from))
            {
                Assert.True(AlarmStage.Rank(to) >= AlarmStage.Rank(from), from + " -> " + to);
                if (AlarmStage.Rank(to) == AlarmStage.Rank(from))
                {
                    Assert.Equal(new[] { F, X }.Order(), new[] { from, to }.Order());
                }
            }
        }
    }

    [Theory]
    [InlineData(AckStage.Received, new string[0])]
    [InlineData(AckStage.Forwarded, new[] { R, X })]
    [InlineData(AckStage.Failed, new[] { R, F })]
    [InlineData(AckStage.PoliceAck, new[] { R, F, X })]
    [InlineData(AckStage.OperatorAck, new[] { R, F, P, X })]
    public void StagesMovingTo_ListsEveryStageTheRulesAllow(string to, string[] expected)
    {
        Assert.Equal(expected.Order(), AlarmStage.StagesMovingTo(to).Order());
    }

    [Fact]
    public void Predicates_NameEachStage()
    {
        Assert.Equal(AckStage.All, AckStage.All.Where(AlarmStage.IsStored));
        Assert.False(AlarmStage.IsStored(""));
        Assert.False(AlarmStage.IsStored(null!));
        Assert.False(AlarmStage.IsStored("delivered"));
        Assert.Equal(new[] { F, P, O }, AckStage.All.Where(AlarmStage.IsAtPolice));
        Assert.Equal(new[] { P, O }, AckStage.All.Where(AlarmStage.IsAcknowledged));
        Assert.Equal(new[] { X }, AckStage.All.Where(AlarmStage.IsDeliveryFailing));
        Assert.Equal(new[] { O }, AckStage.All.Where(AlarmStage.IsFinal));
        Assert.Equal(new[] { F, P, O, X }, AckStage.All.Where(AlarmStage.IsPastReceived));
        Assert.False(AlarmStage.IsPastReceived(""));
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
