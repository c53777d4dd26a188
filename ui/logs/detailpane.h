#pragma once

#include "observe/bodydiff.h"
#include "observe/store.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QMenu;
class QTextBrowser;
class QTreeWidget;

namespace Observe {
class Hub;
}

namespace Ui {

// One exchange of the log in full: the request, the primary's response and a mirror's response
// side by side (status, latency, headers, body pretty-printed when JSON), the fields that differ
// highlighted in both, and the list of differences below. The exchange comes from the hub's
// store by id, with the comparison made when it arrived. A right-click on a differing field
// (in the list or on a highlighted line) makes it a noise rule, for the endpoint or everywhere;
// learned noise can be accepted as a rule or rejected. Authorization, Cookie and Set-Cookie
// values are masked unless "Show secrets" is on.
class DetailPane : public QWidget
{
    Q_OBJECT
public:
    explicit DetailPane(QWidget *parent = nullptr);

    void setHub(Observe::Hub *hub) { m_hub = hub; }
    // 0 clears the pane. An id no longer in the store says so.
    void showExchange(quint64 id);
    quint64 exchangeId() const { return m_id; }
    QString endpoint() const { return m_endpoint; }

    QLabel *titleLabel() const { return m_title; }
    QTextBrowser *requestView() const { return m_request; }
    QTextBrowser *primaryView() const { return m_primary; }
    QTextBrowser *mirrorView() const { return m_mirror; }
    QTreeWidget *diffList() const { return m_diffs; }
    QCheckBox *showSecretsBox() const { return m_secrets; }
    QComboBox *mirrorBox() const { return m_mirrorPick; }

    // The context menu for the field in row `row` of the diff list (also what a right-click on
    // a highlighted line opens); the caller owns it. nullptr for a row that is not a field.
    QMenu *fieldMenu(int row, QWidget *parent);
    // Noise rule for the field: its JSON path (array indices as [*]) or header name, for this
    // exchange's endpoint or everywhere. False and *error when no rule can name it.
    bool ignoreField(int row, bool thisEndpointOnly, QString *error = nullptr);
    bool acceptLearned(int row, QString *error = nullptr);
    bool rejectLearned(int row);

signals:
    // A noise rule was added or learned noise accepted / rejected ("what, where"), for the
    // status bar.
    void noiseChanged(const QString &message);

private:
    struct Field
    {
        bool status = false; // the status line (no noise rule names it)
        bool header = false;
        QString path;
        QString primaryValue;
        QString mirrorValue;
        Observe::FieldDiff::Kind kind = Observe::FieldDiff::Kind::Changed;
        bool noisy = false;
        bool ignoredNow = false; // a rule added since the comparison ignores it
    };
    void render();
    void refreshIgnored();
    void openMenu(QWidget *on, const QPoint &pos, int row);
    QString legHtml(const Observe::Leg &leg, bool mirror, const QString &title) const;
    QString headersHtml(const QList<QPair<QByteArray, QByteArray>> &headers, bool highlight) const;
    QString bodyHtml(const QByteArray &prefix, qint64 size, const QByteArray &contentType,
                     bool highlight, bool mirrorSide) const;

    Observe::Hub *m_hub = nullptr;
    quint64 m_id = 0;
    std::optional<Observe::Store::Entry> m_entry;
    QString m_endpoint;
    QList<Field> m_fields;
    QLabel *m_title = nullptr;
    QTextBrowser *m_request = nullptr;
    QTextBrowser *m_primary = nullptr;
    QTextBrowser *m_mirror = nullptr;
    QTreeWidget *m_diffs = nullptr;
    QCheckBox *m_secrets = nullptr;
    QComboBox *m_mirrorPick = nullptr;
};

} // namespace Ui
