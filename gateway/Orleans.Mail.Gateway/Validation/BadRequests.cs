using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Orleans.Mail.Gateway.Validation;

/// <summary>Builds <c>INVALID_ARGUMENT</c> errors carrying <c>google.rpc.BadRequest</c> details (one violation per bad field).</summary>
public static class BadRequests
{
    /// <summary>An error for one field.</summary>
    public static RpcException Single(string field, string reason) => From([new BadRequest.Types.FieldViolation { Field = field, Description = reason }]);

    /// <summary>An error listing every violation; the status message names the first.</summary>
    public static RpcException From(IReadOnlyList<BadRequest.Types.FieldViolation> violations)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations);
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")),
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }
}
