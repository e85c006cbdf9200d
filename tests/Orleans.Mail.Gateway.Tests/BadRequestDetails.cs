using Google.Rpc;
using Grpc.Core;
using Orleans.Mail.Gateway.Validation;

namespace Orleans.Mail.Gateway.Tests;

/// <summary>Reads the <c>google.rpc.BadRequest</c> detail back out of the errors the validators raise.</summary>
internal static class BadRequestDetails
{
    public static BadRequest Of(RpcException ex)
    {
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var detail = status.GetDetail<BadRequest>();
        Assert.NotNull(detail);
        return detail;
    }

    /// <summary>The violations recorded in <paramref name="errors"/>, in order (empty when none).</summary>
    public static IReadOnlyList<(string Field, string Description)> Violations(FieldErrors errors)
    {
        if (errors.IsEmpty)
        {
            errors.ThrowIfAny();
            return [];
        }

        var ex = Assert.Throws<RpcException>(errors.ThrowIfAny);
        return Of(ex).FieldViolations.Select(v => (v.Field, v.Description)).ToList();
    }

    public static IReadOnlyList<string> Fields(FieldErrors errors) => Violations(errors).Select(v => v.Field).ToList();
}
