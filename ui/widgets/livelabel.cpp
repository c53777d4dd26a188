#include "livelabel.h"

#include <QEvent>
#include <QLabel>
#include <QResizeEvent>

namespace Ui {

LiveLabel::LiveLabel(QWidget *parent) : QWidget(parent), m_label(new QLabel(this))
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_height = m_label->sizeHint().height();
}

int LiveLabel::neededHeight() const
{
    if (m_label->wordWrap() && width() > 0)
        return m_label->heightForWidth(width());
    return m_label->sizeHint().height();
}

void LiveLabel::fitHeight(bool allowShrink)
{
    const int needed = neededHeight();
    // One-line text asks for its width too, or a counter that gains a digit is clipped; it
    // only grows, so a number going up and down by a digit moves nothing after the first time.
    const int width = m_label->wordWrap() ? 0 : m_label->sizeHint().width();
    if (needed > m_height || (allowShrink && needed != m_height) || width > m_width ||
        (allowShrink && width != m_width)) {
        m_height = needed;
        m_width = width;
        updateGeometry(); // the rare relayout: another line (or one fewer), a wider text
    }
}

QSize LiveLabel::sizeHint() const
{
    return QSize(m_label->wordWrap() ? m_label->sizeHint().width() : m_width, m_height);
}

QSize LiveLabel::minimumSizeHint() const
{
    // Wrapped text gets narrow at need; one line is clipped rather than widening the window.
    return QSize(m_label->wordWrap() ? m_label->minimumSizeHint().width() : 0, m_height);
}

bool LiveLabel::event(QEvent *event)
{
    switch (event->type()) {
    case QEvent::LayoutRequest: // the label's text (or font) changed: posted, not per setText
        fitHeight(false);
        break;
    case QEvent::Show:
    case QEvent::FontChange:
    case QEvent::StyleChange:
        fitHeight(true);
        break;
    default:
        break;
    }
    return QWidget::event(event);
}

void LiveLabel::resizeEvent(QResizeEvent *event)
{
    m_label->setGeometry(QRect(QPoint(0, 0), event->size()));
    fitHeight(true);
    QWidget::resizeEvent(event);
}

} // namespace Ui
