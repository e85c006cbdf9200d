using Grpc.Core;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests;

public sealed class FieldErrorsTests
{
    [Fact]
    public void IsEmpty_NothingAdded_IsTrue()
    {
        Assert.True(new FieldErrors().IsEmpty);
    }

    [Fact]
    public void ThrowIfAny_NothingAdded_DoesNotThrow()
    {
        var errors = new FieldErrors();

        errors.ThrowIfAny();

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void IsEmpty_AfterAdd_IsFalse()
    {
        var errors = new FieldErrors();

        errors.Add("subject", "is required");

        Assert.False(errors.IsEmpty);
    }

    [Fact]
    public void ThrowIfAny_SeveralAdded_ThrowsInvalidArgumentListingAllInOrder()
    {
        var errors = new FieldErrors();
        errors.Add("from", "is required");
        errors.Add("to[1]", "'x@' is not a valid address (addr-spec)");
        errors.Add("headers[0].name", "must be printable ASCII without spaces or ':'");

        var ex = Assert.Throws<RpcException>(errors.ThrowIfAny);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violations = BadRequestDetails.Of(ex).FieldViolations;
        Assert.Equal(["from", "to[1]", "headers[0].name"], violations.Select(v => v.Field));
        Assert.Equal("'x@' is not a valid address (addr-spec)", violations[1].Description);
        Assert.StartsWith("from: is required; to[1]: ", ex.Status.Detail);
    }
}
