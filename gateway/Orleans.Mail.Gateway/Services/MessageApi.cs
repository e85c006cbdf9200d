using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MimeKit;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Gateway.Auth;
using Orleans.Mail.Gateway.Backpressure;
using Orleans.Mail.Gateway.Validation;
using Orleans.Mail.Messages;
using ApiMessageStatus = Orleans.Mail.Api.V1.MessageStatus;
using ApiRecipientStatus = Orleans.Mail.Api.V1.RecipientStatus;

namespace Orleans.Mail.Gateway.Services;

/// <summary>The <c>MessageService</c> adapter: validates transactional messages and forwards to the message desk.</summary>
public sealed class MessageApi(IGrainFactory grains, IOptionsMonitor<GatewayOptions> options, SpoolBacklog backlog) : MessageService.MessageServiceBase
{
    private const int MaxRecipients = 100;

    /// <inheritdoc />
    public override async Task<SendMessageResponse> SendMessage(SendMessageRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        MailRules.Mailbox(errors, "from", request.From, required: true);
        MailRules.Address(errors, "envelope_sender", request.EnvelopeSender);
        if (request.To.Count + request.Cc.Count == 0)
        {
            errors.Add("to", "at least one To or Cc address is required");
        }
        else if (request.To.Count + request.Cc.Count > MaxRecipients)
        {
            errors.Add("to", $"at most {MaxRecipients} To and Cc addresses in all");
        }

        for (var i = 0; i < request.To.Count; i++)
        {
            MailRules.Mailbox(errors, $"to[{i}]", request.To[i], required: true);
        }

        for (var i = 0; i < request.Cc.Count; i++)
        {
            MailRules.Mailbox(errors, $"cc[{i}]", request.Cc[i], required: true);
        }

        MailRules.HeaderValue(errors, "subject", request.Subject);
        if (string.IsNullOrWhiteSpace(request.Subject) && string.IsNullOrWhiteSpace(request.TextBody) && string.IsNullOrWhiteSpace(request.HtmlBody))
        {
            errors.Add("subject", "a message with an empty subject needs a body");
        }

        MailRules.Headers(errors, request.Headers);
        MailRules.Text(errors, "text_body", request.TextBody, int.MaxValue);
        MailRules.Text(errors, "html_body", request.HtmlBody, int.MaxValue);
        MailRules.Size(errors, options.CurrentValue.MaxMessageBytes,
            ("subject", request.Subject), ("text_body", request.TextBody), ("html_body", request.HtmlBody));
        errors.ThrowIfAny();
        backlog.ThrowIfFull();

        var envelopeSender = string.IsNullOrWhiteSpace(request.EnvelopeSender)
            ? MailboxAddress.Parse(request.From).Address
            : MailboxAddress.Parse(request.EnvelopeSender).Address;
        var message = new TransactionalMessage(
            request.From, envelopeSender, request.To.ToArray(), request.Cc.ToArray(), request.Subject, request.TextBody, request.HtmlBody,
            ProtoMapping.FromApi(request.Headers));
        var id = await grains.GetGrain<IMessageDeskGrain>(0).Send(context.Tenant(), message);
        return new SendMessageResponse { Id = MailIds.Message(id) };
    }

    /// <inheritdoc />
    public override async Task<ApiMessageStatus> GetMessage(GetMessageRequest request, ServerCallContext context)
    {
        if (!MailIds.TryParse(request.Id, MailIds.MessagePrefix, out var id))
        {
            throw BadRequests.Single("id", "is not a message id (msg_ and 32 hex digits)");
        }

        var status = await grains.GetGrain<IMessageDeskGrain>(0).Get(context.Tenant(), id);
        var response = new ApiMessageStatus
        {
            Id = request.Id,
            CampaignId = status.CampaignId is { } campaign ? MailIds.Campaign(campaign) : string.Empty,
        };
        foreach (var recipient in status.Recipients)
        {
            var item = new ApiRecipientStatus { Address = recipient.Address, State = recipient.State.ToApi() };
            item.Attempts.AddRange(recipient.Attempts.Select(a => new DeliveryAttempt
            {
                Time = Timestamp.FromDateTimeOffset(a.Time),
                MxHost = a.MxHost,
                SmtpReply = a.Reply,
                SmtpCode = a.SmtpCode,
                Action = a.Action,
                Class = a.Class,
                RemoteIp = a.RemoteIp ?? string.Empty,
                Tls = a.Tls,
                Rule = a.Rule ?? string.Empty,
                Note = a.Note ?? string.Empty,
            }));
            response.Recipients.Add(item);
        }

        return response;
    }
}
