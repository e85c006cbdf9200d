using Google.Rpc;
using Grpc.Core;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests;

public sealed class BadRequestsTests
{
    [Fact]
    public void Single_FieldAndReason_IsInvalidArgumentWithOneViolation()
    {
        var ex = BadRequests.Single("to[0]", "is not a valid address");

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("to[0]: is not a valid address", ex.Status.Detail);
        var violation = Assert.Single(BadRequestDetails.Of(ex).FieldViolations);
        Assert.Equal("to[0]", violation.Field);
        Assert.Equal("is not a valid address", violation.Description);
    }

    [Fact]
    public void From_SeveralViolations_ListsEveryFieldInOrder()
    {
        var ex = BadRequests.From(
        [
            new BadRequest.Types.FieldViolation { Field = "from", Description = "is required" },
            new BadRequest.Types.FieldViolation { Field = "headers[2].value", Description = "must not contain CR or LF" },
        ]);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("from: is required; headers[2].value: must not contain CR or LF", ex.Status.Detail);
        Assert.Equal(["from", "headers[2].value"], BadRequestDetails.Of(ex).FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public void From_Violations_RpcStatusCarriesInvalidArgumentCode()
    {
        var status = BadRequests.Single("subject", "too long").GetRpcStatus();

        Assert.NotNull(status);
        Assert.Equal((int)Code.InvalidArgument, status.Code);
        Assert.Equal("subject: too long", status.Message);
        Assert.Single(status.Details);
    }
}

public sealed class BadRequestsBoundsTests
{
    [Fact]
    public void From_FiftyViolations_SendsTwentyAndCountsTheRest()
    {
        var violations = Enumerable.Range(0, 50)
            .Select(i => new BadRequest.Types.FieldViolation { Field = $"to[{i}]", Description = "is not a valid address" })
            .ToList();

        var details = BadRequestDetails.Of(BadRequests.From(violations)).FieldViolations;

        Assert.Equal(BadRequests.MaxViolations + 1, details.Count);
        Assert.Equal("to[19]", details[BadRequests.MaxViolations - 1].Field);
        Assert.Equal("30 more violations not listed", details[^1].Description);
    }

    [Fact]
    public void Single_HugeReason_CutToTheLimitInDetailsAndMessage()
    {
        var ex = BadRequests.Single("from", new string('x', 100_000));

        var violation = Assert.Single(BadRequestDetails.Of(ex).FieldViolations);
        Assert.Equal(BadRequests.MaxDescriptionChars + 1, violation.Description.Length);
        Assert.True(ex.Status.Detail.Length < 500, $"status message is {ex.Status.Detail.Length} characters");
    }
}
