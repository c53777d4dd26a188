#include "noticebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace Ui {

NoticeBar::NoticeBar(QWidget *parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setFrameShadow(QFrame::Plain);
    // The palette's tool-tip colours: a theme-provided "attention" background that is readable
    // in light and dark themes alike.
    setBackgroundRole(QPalette::ToolTipBase);
    setForegroundRole(QPalette::ToolTipText);
    setAutoFillBackground(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 3, 3, 3);
    m_icon = new QLabel(this);
    layout->addWidget(m_icon);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setForegroundRole(QPalette::ToolTipText);
    layout->addWidget(m_text, 1);
    m_buttonLayout = new QHBoxLayout;
    m_buttonLayout->setSpacing(4);
    layout->addLayout(m_buttonLayout);
    auto *close = new QToolButton(this);
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, &NoticeBar::dismiss);
    layout->addWidget(close);
    hide();
}

void NoticeBar::showMessage(Kind kind, const QString &text)
{
    m_kind = kind;
    clearButtons();
    const QStyle::StandardPixmap icon = kind == Kind::Error     ? QStyle::SP_MessageBoxCritical
                                        : kind == Kind::Warning ? QStyle::SP_MessageBoxWarning
                                                                : QStyle::SP_MessageBoxInformation;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    m_text->setText(text);
    show();
}

QPushButton *NoticeBar::addButton(const QString &text, const std::function<void()> &action)
{
    auto *b = new QPushButton(text, this);
    connect(b, &QPushButton::clicked, this, action);
    m_buttonLayout->addWidget(b);
    m_buttons.append(b);
    return b;
}

void NoticeBar::dismiss()
{
    hide();
    clearButtons();
}

void NoticeBar::clearButtons()
{
    // Later, not now: the button whose click led here is still inside its clicked() signal.
    for (QPushButton *b : std::as_const(m_buttons)) {
        b->hide();
        b->deleteLater();
    }
    m_buttons.clear();
}

QString NoticeBar::text() const
{
    return m_text->text();
}

QPushButton *NoticeBar::button(const QString &text) const
{
    for (QPushButton *b : m_buttons)
        if (QString(b->text()).remove(QLatin1Char('&')) == text)
            return b;
    return nullptr;
}

} // namespace Ui
