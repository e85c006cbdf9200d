using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Orleans.Mail.Gateway.Validation;

/// <summary>
/// Builds <c>INVALID_ARGUMENT</c> errors carrying <c>google.rpc.BadRequest</c> details (one violation per bad field).
/// At most <see cref="MaxViolations"/> violations are sent, each description cut to <see cref="MaxDescriptionChars"/>
/// characters: the status travels in response trailers, which grpc-dotnet clients cap at 64 KB by default, and a
/// larger one would reach the caller as <c>INTERNAL</c> instead of its own mistake (security review F18).
/// </summary>
public static class BadRequests
{
    /// <summary>Most violations reported in one error; the rest are summed up in a last entry.</summary>
    public const int MaxViolations = 20;

    /// <summary>Longest violation description, in characters.</summary>
    public const int MaxDescriptionChars = 400;

    /// <summary>An error for one field.</summary>
    public static RpcException Single(string field, string reason) => From([new BadRequest.Types.FieldViolation { Field = field, Description = reason }]);

    /// <summary>An error listing the violations (at most <see cref="MaxViolations"/>); the status message names them.</summary>
    public static RpcException From(IReadOnlyList<BadRequest.Types.FieldViolation> violations)
    {
        var kept = violations.Take(MaxViolations).Select(Bounded).ToList();
        if (violations.Count > MaxViolations)
        {
            kept.Add(new BadRequest.Types.FieldViolation
            {
                Field = "*",
                Description = $"{violations.Count - MaxViolations} more violations not listed",
            });
        }

        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(kept);
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = string.Join("; ", kept.Select(v => $"{v.Field}: {v.Description}")),
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }

    private static BadRequest.Types.FieldViolation Bounded(BadRequest.Types.FieldViolation violation) =>
        violation.Description.Length <= MaxDescriptionChars && violation.Field.Length <= MaxDescriptionChars
            ? violation
            : new BadRequest.Types.FieldViolation
            {
                Field = Cut(violation.Field),
                Description = Cut(violation.Description),
            };

    private static string Cut(string text) => text.Length <= MaxDescriptionChars ? text : text[..MaxDescriptionChars] + "…";
}
