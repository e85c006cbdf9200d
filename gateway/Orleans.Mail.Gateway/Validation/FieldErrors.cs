using Google.Rpc;

namespace Orleans.Mail.Gateway.Validation;

/// <summary>Collects field violations of one request; <see cref="ThrowIfAny"/> raises them together.</summary>
public sealed class FieldErrors
{
    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    /// <summary>Records that <paramref name="field"/> is invalid because of <paramref name="reason"/>.</summary>
    public void Add(string field, string reason) =>
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = reason });

    /// <summary>True when nothing was recorded.</summary>
    public bool IsEmpty => _violations.Count == 0;

    /// <summary>Throws <c>INVALID_ARGUMENT</c> with every recorded violation, if any.</summary>
    public void ThrowIfAny()
    {
        if (_violations.Count > 0)
        {
            throw BadRequests.From(_violations);
        }
    }
}
