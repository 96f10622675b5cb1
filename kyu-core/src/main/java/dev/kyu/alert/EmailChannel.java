package dev.kyu.alert;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * E-mail over SMTP through Jakarta Mail (Eclipse Angus): plain text, with TLS ({@code starttls}, required
 * once asked for, or {@code ssl} from the first byte) and a login when a user is given. Connect, read and
 * write time out after ten seconds, so a dead server costs a warning, not a stuck thread.
 *
 * @param tls  {@code none}, {@code starttls} or {@code ssl}
 * @param trust hosts whose certificate is trusted without a chain ({@code mail.smtp.ssl.trust}), or null
 */
public record EmailChannel(
        String name,
        String host,
        int port,
        String tls,
        String user,
        String password,
        String from,
        List<String> to,
        String trust)
        implements AlertChannel {

    public EmailChannel {
        to = List.copyOf(to);
    }

    private Session session() {
        Properties p = new Properties();
        String proto = tls.equals("ssl") ? "smtps" : "smtp";
        p.put("mail.transport.protocol", proto);
        p.put("mail." + proto + ".host", host);
        p.put("mail." + proto + ".port", Integer.toString(port));
        p.put("mail." + proto + ".auth", Boolean.toString(user != null));
        p.put("mail." + proto + ".connectiontimeout", "10000");
        p.put("mail." + proto + ".timeout", "10000");
        p.put("mail." + proto + ".writetimeout", "10000");
        if (tls.equals("starttls")) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        // The server's name is checked against its certificate unless the file names hosts to trust as they are
        // (a private CA, a self-signed certificate): then neither chain nor name is checked for those hosts.
        p.put("mail." + proto + ".ssl.checkserveridentity", Boolean.toString(trust == null));
        if (trust != null) p.put("mail." + proto + ".ssl.trust", trust);
        return Session.getInstance(p);
    }

    @Override
    public void send(AlertMessage m) throws MessagingException {
        Session s = session();
        MimeMessage msg = new MimeMessage(s);
        msg.setFrom(new InternetAddress(from));
        for (String r : to) msg.addRecipient(Message.RecipientType.TO, new InternetAddress(r));
        msg.setSubject(m.subject(), StandardCharsets.UTF_8.name());
        msg.setSentDate(Date.from(m.at()));
        msg.setText(m.text() + (m.link() == null ? "" : "\n\n" + m.link()) + "\n", StandardCharsets.UTF_8.name());
        try (Transport t = s.getTransport()) {
            t.connect(host, port, user, password);
            t.sendMessage(msg, msg.getAllRecipients());
        }
    }

    /** Connects and logs in once, sending nothing. */
    @Override
    public void check() throws MessagingException {
        try (Transport t = session().getTransport()) {
            t.connect(host, port, user, password);
        }
    }

    @Override
    public String toString() {
        return "email " + name + " (" + host + ":" + port + ", " + tls + (user == null ? "" : ", user " + user) + ")";
    }
}
