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
    if (needed > m_height || (allowShrink && needed != m_height)) {
        m_height = needed;
        updateGeometry(); // the rare relayout: the text needs another line (or one fewer)
    }
}

QSize LiveLabel::sizeHint() const
{
    return QSize(m_label->sizeHint().width(), m_height);
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
