#pragma once

#include <QFrame>

#include <functional>

class QHBoxLayout;
class QLabel;
class QPushButton;

namespace Ui {

// A slim in-window message bar (a file changed on disk, a save failed, a YAML syntax error)
// with a few buttons and a close cross. Unlike a message box it never blocks: the person can
// keep typing and answer when they like. Colours come from the system palette, so it follows
// light and dark themes.
class NoticeBar : public QFrame
{
    Q_OBJECT
public:
    enum class Kind { Info, Warning, Error };

    explicit NoticeBar(QWidget *parent = nullptr);

    // Replaces the message and the buttons, and shows the bar.
    void showMessage(Kind kind, const QString &text);
    // A button after the message; clicking it runs `action` (the bar stays unless the action
    // hides it).
    QPushButton *addButton(const QString &text, const std::function<void()> &action);
    void dismiss();

    QString text() const;
    Kind kind() const { return m_kind; }
    QList<QPushButton *> buttons() const { return m_buttons; }
    // The button whose text (without '&') is `text`, or nullptr.
    QPushButton *button(const QString &text) const;

private:
    void clearButtons();

    Kind m_kind = Kind::Info;
    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QHBoxLayout *m_buttonLayout = nullptr;
    QList<QPushButton *> m_buttons;
};

} // namespace Ui
